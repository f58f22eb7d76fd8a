/**
 * The loudness of a local microphone track, measured in the browser with a
 * WebAudio analyser (nothing leaves the device). Used for the pre-join meter
 * and to know when the person themselves is speaking.
 */
export class LevelMeter {
  private readonly context: AudioContext;
  private readonly analyser: AnalyserNode;
  private readonly samples: Float32Array<ArrayBuffer>;

  constructor(track: MediaStreamTrack) {
    this.context = new AudioContext();
    const source = this.context.createMediaStreamSource(new MediaStream([track]));
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 512;
    this.samples = new Float32Array(this.analyser.fftSize);
    source.connect(this.analyser);
  }

  /** The current level, 0..1: the RMS of the last samples, on the scale getStats uses. */
  level(): number {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const s of this.samples) sum += s * s;
    return Math.min(1, Math.sqrt(sum / this.samples.length));
  }

  close(): void {
    void this.context.close().catch(() => undefined);
  }
}
