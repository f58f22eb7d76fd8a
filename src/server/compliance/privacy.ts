import type { Config } from "../config/config";
import type { Doc } from "./document";

type Lang = "en" | "de";

/** An operator fact, or a visible placeholder naming the setting that supplies it. */
function fact(value: string | undefined, variable: string, lang: Lang): string {
  if (value) return value;
  return lang === "de" ? `[nicht angegeben: ${variable}]` : `[not stated: ${variable}]`;
}

/**
 * Recipients follow from the configuration: every integration that receives
 * personal data is named, and nothing else is (COMPLIANCE L2).
 */
export function recipients(config: Config, lang: Lang): string[] {
  const out: string[] = [];
  if (config.oidc)
    out.push(
      lang === "de"
        ? `Identitätsanbieter für die Anmeldung von Organisatoren: ${config.oidc.issuer} (nur Anmeldung; er erfährt, dass Sie sich anmelden)`
        : `Identity provider for organiser sign-in: ${config.oidc.issuer} (sign-in only; it learns that you sign in)`,
    );
  return out;
}

/** The notice under Art. 13 GDPR, generated from the configuration (COMPLIANCE L6). */
export function privacyNotice(config: Config, lang: Lang): Doc {
  const o = config.operator;
  const r = config.retention;
  const de = lang === "de";
  const others = recipients(config, lang);
  return {
    lang,
    title: de ? "Datenschutzhinweise für Videokonferenzen" : "Privacy notice for video meetings",
    sections: [
      {
        heading: de ? "Verantwortlicher" : "Controller",
        body: [
          fact(o.controllerName, "PLENUM_CONTROLLER_NAME", lang),
          fact(o.controllerAddress, "PLENUM_CONTROLLER_ADDRESS", lang),
          fact(o.controllerEmail, "PLENUM_CONTROLLER_EMAIL", lang),
        ],
      },
      {
        heading: de ? "Datenschutzbeauftragte(r)" : "Data protection officer",
        body: [fact(o.dpoContact, "PLENUM_DPO_CONTACT", lang)],
      },
      {
        heading: de ? "Zwecke und Rechtsgrundlage" : "Purposes and legal basis",
        body: [
          fact(o.purposes, "PLENUM_PURPOSES", lang),
          fact(o.legalBasis, "PLENUM_LEGAL_BASIS", lang),
        ],
      },
      {
        heading: de ? "Welche Daten verarbeitet werden" : "Which data are processed",
        body: [
          de
            ? [
                "Der von Ihnen gewählte Anzeigename, nur für die Dauer der Sitzung im Arbeitsspeicher.",
                "Bild und Ton, nur wenn Sie Kamera oder Mikrofon einschalten; sie werden weitergeleitet, nie gespeichert.",
                "Technische Verbindungsdaten (IP-Adresse) für die Dauer der Verbindung; in Protokollen nur gekürzt (IPv4 /24, IPv6 /48).",
                "Chatnachrichten werden nur weitergeleitet, nie gespeichert.",
                "Für Organisatoren: Benutzername, Passwort-Hash oder Kennung beim Identitätsanbieter, Anmeldesitzungen, Räume.",
                "Moderationsprotokoll: wann wer (pseudonyme Teilnehmerkennung) was mit wem tat, ohne Namen und Inhalte.",
              ]
            : [
                "The display name you choose, in memory for the duration of the meeting only.",
                "Picture and sound, only when you switch camera or microphone on; relayed, never stored.",
                "Technical connection data (IP address) while connected; in logs only truncated (IPv4 /24, IPv6 /48).",
                "Chat messages are relayed, never stored.",
                "For organisers: username, password hash or identity provider id, sign-in sessions, rooms.",
                "Moderation audit: when who (pseudonymous participant id) did what to whom, without names or content.",
              ],
        ],
      },
      {
        heading: de ? "Speicherdauer" : "Retention",
        body: [
          de
            ? [
                `Ungenutzte Ad-hoc-Räume: ${r.roomDays} Tage nach der letzten Nutzung.`,
                `Moderationsprotokoll: ${r.auditDays} Tage.`,
                `Anmeldesitzungen: ${config.sessionHours} Stunden.`,
                `Serverprotokolle: ${config.logRetentionDays} Tage.`,
                "Konten von Organisatoren: bis zur Löschung des Kontos.",
              ]
            : [
                `Unused ad-hoc rooms: ${r.roomDays} days after last use.`,
                `Moderation audit: ${r.auditDays} days.`,
                `Sign-in sessions: ${config.sessionHours} hours.`,
                `Server logs: ${config.logRetentionDays} days.`,
                "Organiser accounts: until the account is removed.",
              ],
        ],
      },
      {
        heading: de ? "Empfänger" : "Recipients",
        body: [
          de
            ? "Der Dienst läuft vollständig auf dem Server des Verantwortlichen. Es gibt keine Übermittlung in Drittländer, keine Telemetrie und keine Inhalte von fremden Servern."
            : "The service runs entirely on the controller's server. There is no transfer to third countries, no telemetry and no content from other servers.",
          others.length > 0 ? others : [de ? "Keine weiteren Empfänger." : "No other recipients."],
        ],
      },
      {
        heading: de ? "Ihre Rechte" : "Your rights",
        body: [
          de
            ? "Sie haben das Recht auf Auskunft (Art. 15), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung (Art. 18), Datenübertragbarkeit (Art. 20) und Widerspruch (Art. 21 DSGVO) sowie das Recht auf Beschwerde bei einer Datenschutz-Aufsichtsbehörde (Art. 77 DSGVO)."
            : "You have the right of access (Art. 15), rectification (Art. 16), erasure (Art. 17), restriction (Art. 18), data portability (Art. 20) and to object (Art. 21 GDPR), and the right to lodge a complaint with a supervisory authority (Art. 77 GDPR).",
        ],
      },
    ],
  };
}
