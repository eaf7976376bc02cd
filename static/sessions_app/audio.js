// Monitor sounds through Web Audio: the alarm tone and the QRS beep.
// Browsers keep an AudioContext suspended until a user gesture (or an autoplay permission), so
// the page offers a button until `running` is true; nothing here plays while it is not.

// Alarm tones by priority, after IEC 60601-1-8: red (high) is a fast, high triple beep that
// repeats often; yellow (medium) a slower, lower two-tone that repeats less often; cyan
// (technical, low priority) one or two soft pulses repeated after more than 15 s.
export const ALARM_TONES = {
  red: { pulses: [[0, 960], [0.17, 960], [0.34, 960]], pulseSeconds: 0.12, repeatMs: 1600, peak: 0.12 },
  yellow: { pulses: [[0, 660], [0.35, 523]], pulseSeconds: 0.25, repeatMs: 5000, peak: 0.09 },
  cyan: { pulses: [[0, 523], [0.4, 440]], pulseSeconds: 0.25, repeatMs: 16000, peak: 0.06 },
};
const BEEP_SECONDS = 0.07;
// Pulse oximeters beep lower as saturation falls; without a reading they beep off the ECG.
const BEEP_UNKNOWN_SPO2_HZ = 660;

// 440 Hz at 80 % and below, one octave up to 880 Hz at 100 %; null when SpO2 is unknown.
export function qrsBeepFrequency(spo2) {
  if (spo2 === null) return BEEP_UNKNOWN_SPO2_HZ;
  const clamped = Math.min(100, Math.max(80, spo2));
  return 440 * 2 ** ((clamped - 80) / 20);
}

export class MonitorAudio {
  constructor(onStateChange) {
    this.onStateChange = onStateChange;
    this.context = null;
    this.alarmTimer = null;
    this.alarmBurst = null;
    this.alarmLevel = null;
  }

  get supported() {
    return "AudioContext" in globalThis;
  }

  get running() {
    return this.context?.state === "running";
  }

  // Start the context; it only runs if called from a user gesture or autoplay is allowed.
  unlock() {
    if (!this.supported) return;
    if (!this.context) {
      this.context = new AudioContext();
      this.context.addEventListener("statechange", () => this.onStateChange());
    }
    if (this.context.state === "suspended") {
      this.context.resume().catch(() => {});
    }
    this.onStateChange();
  }

  // `level`: "red", "yellow", "cyan" or null (quiet).
  setAlarm(level) {
    const next = level ?? null;
    if (next === this.alarmLevel) return;
    clearInterval(this.alarmTimer);
    this.alarmTimer = null;
    // Cut a burst already scheduled: the alarm is over (or another one sounds) now.
    if (this.alarmBurst && this.context) this.alarmBurst.gain.setValueAtTime(0, this.context.currentTime);
    this.alarmBurst = null;
    this.alarmLevel = next;
    if (next === null) return;
    this.playAlarmBurst();
    this.alarmTimer = setInterval(() => this.playAlarmBurst(), ALARM_TONES[next].repeatMs);
  }

  beep(frequency) {
    if (!this.running) return;
    const { destination, currentTime } = this.context;
    this.tone(destination, frequency, currentTime, BEEP_SECONDS, 0.25, "sine");
  }

  stop() {
    this.setAlarm(null);
    this.context?.close();
  }

  playAlarmBurst() {
    if (!this.running || this.alarmLevel === null) return;
    const { pulses, pulseSeconds, peak } = ALARM_TONES[this.alarmLevel];
    const burst = new GainNode(this.context);
    burst.connect(this.context.destination);
    this.alarmBurst = burst;
    const start = this.context.currentTime + 0.05;
    for (const [offset, frequency] of pulses) {
      this.tone(burst, frequency, start + offset, pulseSeconds, peak, "square");
    }
  }

  tone(destination, frequency, start, seconds, peak, type) {
    const oscillator = new OscillatorNode(this.context, { type, frequency });
    const envelope = new GainNode(this.context, { gain: 0 });
    // 10 ms ramps: a tone switched on or off abruptly clicks.
    envelope.gain.setValueAtTime(0, start);
    envelope.gain.linearRampToValueAtTime(peak, start + 0.01);
    envelope.gain.setValueAtTime(peak, start + seconds - 0.01);
    envelope.gain.linearRampToValueAtTime(0, start + seconds);
    oscillator.connect(envelope).connect(destination);
    oscillator.start(start);
    oscillator.stop(start + seconds);
  }
}
