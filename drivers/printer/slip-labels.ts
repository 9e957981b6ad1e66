/**
 * The fixed words printed on slips (titles, field labels, the lines under the QR code). The data on a slip
 * is printed as given; only these change with the station's language. The agent passes Hindi ones from
 * its catalogue (agent/i18n/slip-hi.ts); these English ones are the default.
 */
export interface SlipLabels {
  arrestMemo: string;
  /** A second, smaller title line; empty leaves it out. */
  arrestMemoAlt: string;
  firNo: string;
  arrested: string;
  place: string;
  sections: string;
  accused: string;
  nameLocal: string;
  fatherHusband: string;
  ageSex: string;
  address: string;
  arrestingOfficer: string;
  fingerprint: string;
  quality: string;
  scanToVerify: string;
  signatureAccused: string;
  signatureOfficer: string;
  complaintReceipt: string;
  complaintReceiptAlt: string;
  complaintNo: string;
  received: string;
  complainant: string;
  phone: string;
  subject: string;
  receivedBy: string;
  keepReceipt: string;
}

export const ENGLISH_SLIP_LABELS: SlipLabels = {
  arrestMemo: "ARREST MEMO",
  arrestMemoAlt: "गिरफ़्तारी मेमो",
  firNo: "FIR No",
  arrested: "Arrested",
  place: "Place",
  sections: "Sections",
  accused: "Accused",
  nameLocal: "नाम",
  fatherHusband: "Father/Husband",
  ageSex: "Age/Sex",
  address: "Address",
  arrestingOfficer: "Arresting officer",
  fingerprint: "Fingerprint",
  quality: "quality",
  scanToVerify: "Scan to verify",
  signatureAccused: "Signature of accused",
  signatureOfficer: "Signature of officer",
  complaintReceipt: "COMPLAINT RECEIPT",
  complaintReceiptAlt: "शिकायत पावती",
  complaintNo: "Complaint No",
  received: "Received",
  complainant: "Complainant",
  phone: "Phone",
  subject: "Subject",
  receivedBy: "Received by",
  keepReceipt: "Keep this receipt. Scan to verify.",
};
