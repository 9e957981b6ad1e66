/**
 * हिंदी: what the agent's CLI says to station staff, written as a Hindi-speaking constable would say it.
 * Words staff use in English stay, in Devanagari (राउटर, केबल, मॉडेम, प्रिंटर, स्कैनर, USB). Same keys
 * and placeholders as en.ts (test/unit/i18n-catalogue.test.ts checks both).
 */
import { devicesHi } from "./devices-hi.js";
import { bookingHi } from "./booking-hi.js";
import { cliHi } from "./cli-hi.js";
import { slipHi } from "./slip-hi.js";
import { doctorHi } from "./doctor-hi.js";
import type { MessageKey } from "./en.js";
import { hostHi } from "./host-hi.js";

export const hi: Record<MessageKey, string> = {
  ...hostHi,
  ...devicesHi,
  ...doctorHi,
  ...bookingHi,
  ...cliHi,
  ...slipHi,
  "status.station": "थाना {station}",
  "status.stationNamed": "थाना {station} ({name})",
  "status.agent.running": "एजेंट: चल रहा है (वर्ज़न {version}, pid {pid})",
  "status.agent.notRunning": "एजेंट: बंद है। ज़िले के तकनीशियन से यह चलवाएँ: systemctl start station-agent",
  "status.agent.stoppedAt":
    "एजेंट: बंद है ({time} पर रोका गया)। ज़िले के तकनीशियन से यह चलवाएँ: systemctl start station-agent",
  "status.agent.lastSign":
    "एजेंट: बंद है (बिना बताए रुका; आख़िरी बार {time} पर चलता दिखा)। ज़िले के तकनीशियन से यह चलवाएँ: systemctl start station-agent",
  "status.agent.why": "एजेंट: बंद है ({reason})। ज़िले के तकनीशियन से यह चलवाएँ: systemctl start station-agent",
  "status.noc.connected": "राज्य NOC: जुड़ा है",
  "status.noc.connectedSince": "राज्य NOC: {time} से जुड़ा है ({ago})",
  "status.noc.notConnected":
    "राज्य NOC: नहीं जुड़ा है। कुछ खोया नहीं जाएगा: रिपोर्टें इसी कंप्यूटर में रखी हैं और कनेक्शन लौटते ही भेज दी जाएँगी।",
  "status.noc.notConnectedWhy":
    "राज्य NOC: नहीं जुड़ा है ({reason})। कुछ खोया नहीं जाएगा: रिपोर्टें इसी कंप्यूटर में रखी हैं और कनेक्शन लौटते ही भेज दी जाएँगी।",
  "status.outbox.none": "भेजने के लिए बाकी रिपोर्टें: कोई नहीं",
  "status.outbox.waiting": "भेजने के लिए बाकी रिपोर्टें: {count, number}",
  "status.outbox.waitingOldest": "भेजने के लिए बाकी रिपोर्टें: {count, number}, सबसे पुरानी {ago} पहले की",
  "status.dropped": "डिस्क भर जाने से छोड़ी गई रिपोर्टें: {metrics, number} रीडिंग, {events, number} घटनाएँ",
  "status.outage.none": "पिछली रुकावट: कोई दर्ज नहीं",
  "status.outage.last": "पिछली रुकावट: {cause}, {time} पर, {duration} तक",
  "status.outage.lastOnLink": "पिछली रुकावट: {cause}, लिंक {link} पर, {time} पर, {duration} तक",
  "status.uptime": "NOC से जुड़ा रहा: पिछले 24 घंटे में {day}, पिछले 30 दिन में {month}",
  "status.clock.unsynced":
    "घड़ी: अभी इंटरनेट से मिलाई नहीं गई, इसलिए समय गलत हो सकता है। NOC को पता है; एक दिन से ज़्यादा रहे तभी कुछ करना है।",
  "status.times.zone": "सारे समय थाने के समय ({zone}) में हैं।",
  "status.times.utc": "सारे समय UTC में हैं।",
  "status.times.local": "सारे समय थाने के समय (इस कंप्यूटर का टाइम ज़ोन) में हैं।",
  "status.whatToDo": "  क्या करें: {advice}",
  "status.device": "{kind} {device}: {health}",
  "status.deviceWhy": "{kind} {device}: {health} ({reason})",
  "status.err.cannotShow": "थाने का हाल नहीं दिखा सकते।",
  "status.err.cannotRead": "सेटिंग फ़ाइल {path} पढ़ी नहीं जा सकती: {why}।",
  "status.err.eacces": "इस यूज़र को इसे पढ़ने की इजाज़त नहीं है",
  "status.err.enoent": "यह फ़ाइल है ही नहीं",
  "status.err.mistakes": "सेटिंग फ़ाइल {path} में गलतियाँ हैं:",
  "status.err.notInGroup":
    "- यह यूज़र एजेंट से नहीं पूछ सकता ({socket}): यह यूज़र station-api ग्रुप में नहीं है।\n  ज़िले के तकनीशियन से यह चलवाएँ: usermod -aG station-api आपका-यूज़र-नाम, फिर एक बार लॉग आउट करके दोबारा लॉग इन करें।",
  "status.err.agentStopped":
    "- एजेंट जवाब नहीं दे रहा ({socket}): शायद बंद है।\n  ज़िले के तकनीशियन से यह चलवाएँ: systemctl start station-agent",
  "status.err.agentSilent": "- एजेंट जवाब नहीं दे रहा ({socket}): {error}।",
  "status.err.savedState": "इसकी सहेजी हुई जानकारी पढ़ी नहीं जा सकती ({code})",
  "cause.power": "बिजली गई (कंप्यूटर दोबारा चालू हुआ)",
  "cause.agent": "एजेंट नहीं चल रहा था",
  "cause.network": "नेटवर्क: राज्य डेटा सेंटर तक नहीं पहुँच पाए",
  "kind.fingerprint": "फिंगरप्रिंट स्कैनर",
  "kind.printer": "पर्ची प्रिंटर",
  "kind.ups": "UPS (बैटरी बैकअप)",
  "health.ready": "ठीक है",
  "health.busy": "काम कर रहा है",
  "health.faulted": "काम नहीं कर रहा",
  "health.absent": "लगा नहीं है",
  "health.unavailable": "इस्तेमाल नहीं हो सकता",
  "advice.absent.fingerprint":
    "स्कैनर की USB केबल दोबारा लगाएँ (दूसरे USB सॉकेट में भी लगाकर देखें)। फिर भी 'लगा नहीं है' दिखे तो ज़िले के तकनीशियन को फ़ोन करें।",
  "advice.absent.printer":
    "देखें कि प्रिंटर चालू है और उसकी केबल लगी है। फिर भी 'लगा नहीं है' दिखे तो ज़िले के तकनीशियन को फ़ोन करें।",
  "advice.absent.ups":
    "UPS और कंप्यूटर के बीच की USB केबल देखें। फिर भी 'लगा नहीं है' दिखे तो ज़िले के तकनीशियन को फ़ोन करें।",
  "advice.faulted.fingerprint":
    "स्कैनर निकालें, 10 सेकंड रुकें और फिर लगाएँ। फिर भी खराब रहे तो ज़िले के तकनीशियन को फ़ोन करें।",
  "advice.faulted.printer":
    "पेपर और ढक्कन देखें, फिर प्रिंटर बंद करके चालू करें। फिर भी खराब रहे तो ज़िले के तकनीशियन को फ़ोन करें।",
  "advice.faulted.ups": "बिजली आने पर UPS बंद करके चालू करें। फिर भी खराब रहे तो ज़िले के तकनीशियन को फ़ोन करें।",
  "advice.unavailable":
    "कंप्यूटर एजेंट को इसे इस्तेमाल नहीं करने दे रहा। ज़िले के तकनीशियन को फ़ोन करें (वे चलाएँ: station-agent doctor)।",
  "links.none": "नेटवर्क लिंक: कोई सेट नहीं है।",
  "link.who": "{link} ({iface}, {role})",
  "role.primary": "मुख्य लिंक",
  "role.backup": "बैकअप लिंक",
  "link.inUse": "इसी से काम चल रहा है",
  "link.standby": "तैयार में",
  "link.since": " {time} से ({duration})",
  "link.loss": " लॉस {loss} %।",
  "link.lossDelay": " लॉस {loss} %, आम तौर पर देरी {rtt} ms।",
  "link.up": "{who}:{since} ठीक चल रहा है, {use}।{figures}",
  "link.degraded": "{who}:{since} कमज़ोर चल रहा है, {use}: {reason}।{figures}",
  "link.down": "{who}:{since} बंद है: {reason}।",
  "link.downActive": "{who}:{since} बंद है: {reason}। अभी भी यही लिंक इस्तेमाल में है।",
  "link.unchecked": "{who}: अभी जाँचा नहीं गया।",
  "link.cannotCheck": "{who}: जाँच नहीं हो सकती: {reason}।",
  "reason.none": "कारण दर्ज नहीं",
  "reason.noCarrier": "केबल में सिग्नल नहीं है: केबल निकली है, या राउटर/मॉडेम बंद है",
  "reason.gateway": "थाने का राउटर/मॉडेम जवाब नहीं दे रहा",
  "reason.provider":
    "थाने का राउटर जवाब दे रहा है, पर राज्य डेटा सेंटर तक नहीं पहुँच रहे: खराबी सर्विस प्रोवाइडर की तरफ़ है",
  "reason.datacentre": "राज्य डेटा सेंटर तक नहीं पहुँच रहे",
  "reason.adapterMissing": "नेटवर्क अडैप्टर {iface} नहीं मिल रहा (USB मॉडेम निकल गया?)",
  "reason.loss": "बहुत से संदेश खो रहे हैं ({loss} %)",
  "reason.slow": "धीमा है (आम तौर पर देरी {rtt} ms)",
  "reason.agentStopped": "एजेंट नहीं चल रहा",
  "duration.seconds": "{n} सेकंड",
  "duration.minutes": "{n} मिनट",
  "duration.hours": "{n} घंटे",
  "duration.hoursMinutes": "{h} घंटे {m} मिनट",
  "duration.days": "{n, plural, one {# दिन} other {# दिन}}",
  "duration.daysHours": "{d, plural, one {# दिन} other {# दिन}} {h} घंटे",
};
