/**
 * हिंदी: पर्ची पर छपने वाले तय शब्द (शीर्षक, खानों के नाम)। पर्ची का डेटा जैसा दिया गया वैसा ही छपता है।
 * दूसरी छोटी शीर्षक-लाइन (…Alt) हिंदी में खाली है: शीर्षक पहले से हिंदी में है।
 */
import type { SlipKey } from "./slip-en.js";

export const slipHi: Record<SlipKey, string> = {
  "slip.arrestMemo": "गिरफ़्तारी मेमो",
  "slip.arrestMemoAlt": "",
  "slip.firNo": "FIR नं.",
  "slip.arrested": "गिरफ़्तारी का समय",
  "slip.place": "स्थान",
  "slip.sections": "धाराएँ",
  "slip.accused": "अभियुक्त",
  "slip.nameLocal": "नाम",
  "slip.fatherHusband": "पिता/पति",
  "slip.ageSex": "उम्र/लिंग",
  "slip.address": "पता",
  "slip.arrestingOfficer": "गिरफ़्तार करने वाले अधिकारी",
  "slip.fingerprint": "उँगली की छाप",
  "slip.quality": "क्वालिटी",
  "slip.scanToVerify": "जाँच के लिए स्कैन करें",
  "slip.signatureAccused": "अभियुक्त के हस्ताक्षर",
  "slip.signatureOfficer": "अधिकारी के हस्ताक्षर",
  "slip.complaintReceipt": "शिकायत पावती",
  "slip.complaintReceiptAlt": "",
  "slip.complaintNo": "शिकायत नं.",
  "slip.received": "शिकायत मिलने का समय",
  "slip.complainant": "शिकायतकर्ता",
  "slip.phone": "फ़ोन",
  "slip.subject": "विषय",
  "slip.receivedBy": "शिकायत लेने वाले",
  "slip.keepReceipt": "यह पावती संभालकर रखें। जाँच के लिए स्कैन करें।",
};
