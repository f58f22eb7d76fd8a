/**
 * Runs in every page a test opens, before the page's own scripts (Chromium:
 * playwright's init script; Firefox: puppeteer's preload script). It records
 * every RTCPeerConnection the page makes (so tests can read `getStats()` as
 * the person's browser sees it), counts getUserMedia calls and collects CSP
 * violations; the product code is untouched. Self-contained: it is serialised.
 */
export function recordPage(): void {
  const Native = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
  const w = window as unknown as { __gum: number };
  w.__gum = 0;
  // Anything the CSP refuses (an eval, a foreign origin) is a bug, or an attack that got far.
  const refused: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = refused;
  document.addEventListener("securitypolicyviolation", (e) =>
    refused.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    w.__gum++;
    return getUserMedia(constraints);
  };
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      all.push(this);
    }
  };
}
