/** A short two-note chime, synthesised here: no sound file to fetch, nothing from elsewhere. */
export function chime(): void {
  try {
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    gain.gain.setValueAtTime(0.08, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.5);
    for (const [i, freq] of [660, 880].entries()) {
      const osc = ctx.createOscillator();
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start(ctx.currentTime + i * 0.15);
      osc.stop(ctx.currentTime + 0.5);
    }
    setTimeout(() => void ctx.close(), 800);
  } catch {
    // No audio output is no reason to miss the visual and screen-reader notice.
  }
}
