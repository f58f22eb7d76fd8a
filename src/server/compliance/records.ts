import type { Config } from "../config/config";
import type { Doc } from "./document";
import { TABLE_RETENTION } from "./facts";
import { recipients } from "./privacy";

type Lang = "en" | "de";

/** Picks the text of the document's language. */
const say = (lang: Lang) => (en: string, de: string) => (lang === "de" ? de : en);

function stated(v: string | undefined, variable: string, lang: Lang): string {
  return v ?? say(lang)(`[not stated: ${variable}]`, `[nicht angegeben: ${variable}]`);
}

/** The record of processing activities (Art. 30(1) GDPR), from the configuration. */
export function recordOfProcessing(config: Config, lang: Lang = "en"): Doc {
  const o = config.operator;
  const r = config.retention;
  const s = say(lang);
  const others = recipients(config, lang);
  return {
    lang,
    title: s(
      "Record of processing activities (Art. 30 GDPR): video meetings with Plenum",
      "Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO): Videokonferenzen mit Plenum",
    ),
    sections: [
      {
        heading: s(
          "Controller and data protection officer",
          "Verantwortlicher und Datenschutzbeauftragte(r)",
        ),
        body: [
          [
            `${s("Controller", "Verantwortlicher")}: ${stated(o.controllerName, "PLENUM_CONTROLLER_NAME", lang)}, ${stated(o.controllerAddress, "PLENUM_CONTROLLER_ADDRESS", lang)}`,
            `${s("Contact", "Kontakt")}: ${stated(o.controllerEmail, "PLENUM_CONTROLLER_EMAIL", lang)}`,
            `${s("Data protection officer", "Datenschutzbeauftragte(r)")}: ${stated(o.dpoContact, "PLENUM_DPO_CONTACT", lang)}`,
          ],
        ],
      },
      {
        heading: s("Purposes and legal basis", "Zwecke und Rechtsgrundlage"),
        body: [
          stated(o.purposes, "PLENUM_PURPOSES", lang),
          stated(o.legalBasis, "PLENUM_LEGAL_BASIS", lang),
        ],
      },
      {
        heading: s(
          "Categories of data subjects and personal data",
          "Kategorien betroffener Personen und Daten",
        ),
        body: [
          [
            s(
              "Participants: display name (memory only), picture and sound when switched on (relayed, not stored), IP address while connected (logs: truncated to IPv4 /24, IPv6 /48).",
              "Teilnehmende: Anzeigename (nur im Arbeitsspeicher), Bild und Ton wenn eingeschaltet (weitergeleitet, nicht gespeichert), IP-Adresse während der Verbindung (Protokolle: gekürzt auf IPv4 /24, IPv6 /48).",
            ),
            s(
              "Organisers: username, argon2id password hash or OIDC issuer and subject, sign-in sessions (token hash), rooms they own.",
              "Organisatoren: Benutzername, argon2id-Passwort-Hash oder OIDC-Aussteller und -Kennung, Anmeldesitzungen (Token-Hash), eigene Räume.",
            ),
            s(
              "Moderation audit events: pseudonymous participant ids, action, time; no names, no content.",
              "Moderationsprotokoll: pseudonyme Teilnehmerkennungen, Aktion, Zeit; keine Namen, keine Inhalte.",
            ),
          ],
        ],
      },
      {
        heading: s("Recipients", "Empfänger"),
        body: [
          others.length > 0
            ? others
            : [
                s(
                  "None: the service runs entirely on the controller's server.",
                  "Keine: der Dienst läuft vollständig auf dem Server des Verantwortlichen.",
                ),
              ],
        ],
      },
      {
        heading: s("Transfers to third countries", "Übermittlung in Drittländer"),
        body: [s("None.", "Keine.")],
      },
      {
        heading: s("Time limits for erasure", "Löschfristen"),
        body: [
          [
            ...Object.entries(TABLE_RETENTION).map(([table, rule]) => `${table}: ${rule}`),
            s(
              `Configured: rooms ${r.roomDays} days, audit events ${r.auditDays} days, sessions ${config.sessionHours} hours, logs ${config.logRetentionDays} days.`,
              `Eingestellt: Räume ${r.roomDays} Tage, Moderationsprotokoll ${r.auditDays} Tage, Sitzungen ${config.sessionHours} Stunden, Protokolle ${config.logRetentionDays} Tage.`,
            ),
          ],
        ],
      },
      {
        heading: s(
          "Technical and organisational measures",
          "Technische und organisatorische Maßnahmen",
        ),
        body: [
          s("See the TOMs document (plenum docs toms).", "Siehe TOM-Dokument (plenum docs toms)."),
        ],
      },
    ],
  };
}

/** The technical and organisational measures (Art. 32 GDPR), from the configuration. */
export function toms(config: Config, lang: Lang = "en"): Doc {
  const s = say(lang);
  const url = config.publicUrl;
  const extra =
    config.cspAllow.length > 0 ? ` + ${config.cspAllow.join(", ")} (PLENUM_CSP_ALLOW)` : "";
  const lobbyOff = config.defaultLobby
    ? ""
    : s(
        " (SWITCHED OFF by PLENUM_DEFAULT_LOBBY=false)",
        " (AUSGESCHALTET durch PLENUM_DEFAULT_LOBBY=false)",
      );
  return {
    lang,
    title: s(
      "Technical and organisational measures (Art. 32 GDPR): Plenum",
      "Technische und organisatorische Maßnahmen (Art. 32 DSGVO): Plenum",
    ),
    sections: [
      {
        heading: s("Confidentiality", "Vertraulichkeit"),
        body: [
          [
            url.startsWith("https:")
              ? s(
                  `Transport encryption: published at ${url}; TLS termination must offer TLS 1.2/1.3 with forward secrecy only (BSI TR-02102-2); HSTS is sent.`,
                  `Transportverschlüsselung: erreichbar unter ${url}; die TLS-Terminierung darf nur TLS 1.2/1.3 mit Forward Secrecy anbieten (BSI TR-02102-2); HSTS wird gesendet.`,
                )
              : s(
                  `Transport encryption: published at ${url} without TLS; acceptable only on loopback.`,
                  `Transportverschlüsselung: erreichbar unter ${url} ohne TLS; nur auf Loopback zulässig.`,
                ),
            s(
              "Media: DTLS-SRTP between browser and server. End-to-end encryption is not implemented yet.",
              "Medien: DTLS-SRTP zwischen Browser und Server. Ende-zu-Ende-Verschlüsselung ist noch nicht umgesetzt.",
            ),
            s(
              `Access: room ids with at least 128 random bits, lobby on by default${lobbyOff}, optional room password (argon2id), lock, kick; unknown and locked rooms answer alike.`,
              `Zugang: Raumkennungen mit mindestens 128 Zufallsbits, Warteraum standardmäßig an${lobbyOff}, optionales Raumpasswort (argon2id), Sperren, Entfernen; unbekannte und gesperrte Räume antworten gleich.`,
            ),
            s(
              "Organisers sign in with a local account (argon2id) or OIDC; sessions are stored as token hashes only.",
              "Organisatoren melden sich mit lokalem Konto (argon2id) oder OIDC an; Sitzungen werden nur als Token-Hash gespeichert.",
            ),
            s(
              "Roles expand to permission sets checked on the server; administrators have no access to media or chat.",
              "Rollen werden serverseitig zu Berechtigungen aufgelöst und geprüft; Administratoren haben keinen Zugriff auf Medien oder Chat.",
            ),
            s(
              `Content Security Policy: only the own origin${extra}; no third-party assets.`,
              `Content Security Policy: nur der eigene Ursprung${extra}; keine Inhalte Dritter.`,
            ),
          ],
        ],
      },
      {
        heading: s("Integrity and availability", "Integrität und Verfügbarkeit"),
        body: [
          [
            s(
              "Rate limits on joins and signalling messages per address and connection.",
              "Begrenzung von Beitritten und Signalisierungsnachrichten je Adresse und Verbindung.",
            ),
            s(
              "Security headers on every response (CSP, no referrer, no framing, nosniff).",
              "Sicherheits-Header bei jeder Antwort (CSP, kein Referrer, keine Einbettung, nosniff).",
            ),
            s(
              "The operator backs up the data directory (PLENUM_DATA_DIR) and keeps the host patched.",
              "Der Betreiber sichert das Datenverzeichnis (PLENUM_DATA_DIR) und hält den Server aktuell.",
            ),
          ],
        ],
      },
      {
        heading: s("Data minimisation and deletion", "Datenminimierung und Löschung"),
        body: [
          [
            s(
              "Logs contain no full IP address (IPv4 /24, IPv6 /48), no names, no chat text, no room links.",
              "Protokolle enthalten keine vollständigen IP-Adressen (IPv4 /24, IPv6 /48), keine Namen, keine Chattexte, keine Raumlinks.",
            ),
            s(
              `Deletion jobs run at start and hourly: rooms after ${config.retention.roomDays} days unused, audit events after ${config.retention.auditDays} days, sessions at expiry.`,
              `Löschläufe beim Start und stündlich: Räume nach ${config.retention.roomDays} Tagen ohne Nutzung, Moderationsprotokoll nach ${config.retention.auditDays} Tagen, Sitzungen bei Ablauf.`,
            ),
            s(
              "Chat and media are never stored. No telemetry, no analytics, no update checks.",
              "Chat und Medien werden nie gespeichert. Keine Telemetrie, keine Analyse, keine Update-Abfragen.",
            ),
            s(
              "Data subject requests: plenum subject export / erase --account NAME.",
              "Betroffenenanfragen: plenum subject export / erase --account NAME.",
            ),
          ],
        ],
      },
      {
        heading: s("Verification", "Überprüfung"),
        body: [
          s(
            "`plenum audit` checks the running deployment against each criterion and reports the evidence.",
            "`plenum audit` prüft die laufende Installation gegen jedes Kriterium und nennt die Nachweise.",
          ),
        ],
      },
    ],
  };
}
