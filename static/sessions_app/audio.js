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
// The defibrillator's tones, as manual units sound them: a pitch that rises while it charges,
// then a repeated high tone while it holds the charge, until a shock or a disarm.
export const DEVICE_TONES = {
  charging: { fromHz: 400, toHz: 1000, peak: 0.06 },
  charged: { hz: 1046, pulseSeconds: 0.3, repeatMs: 600, peak: 0.08 },
};
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
    this.deviceTimer = null;
    this.deviceNodes = null;
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

  // The rising tone of a charge that takes `seconds` more.
  charging(seconds) {
    this.deviceQuiet();
    if (!this.running || seconds <= 0) return;
    const { fromHz, toHz, peak } = DEVICE_TONES.charging;
    const start = this.context.currentTime;
    const oscillator = new OscillatorNode(this.context, { type: "sine", frequency: fromHz });
    const envelope = new GainNode(this.context, { gain: 0 });
    oscillator.frequency.linearRampToValueAtTime(toHz, start + seconds);
    envelope.gain.linearRampToValueAtTime(peak, start + 0.02);
    oscillator.connect(envelope).connect(this.context.destination);
    oscillator.start(start);
    oscillator.stop(start + seconds);
    this.deviceNodes = { oscillator, envelope };
  }

  // Charged: the ready tone repeats until deviceQuiet().
  charged() {
    this.deviceQuiet();
    if (!this.running) return;
    const { hz, pulseSeconds, repeatMs, peak } = DEVICE_TONES.charged;
    const pulse = () => this.running && this.tone(this.context.destination, hz, this.context.currentTime + 0.02, pulseSeconds, peak, "square");
    pulse();
    this.deviceTimer = setInterval(pulse, repeatMs);
  }

  deviceQuiet() {
    clearInterval(this.deviceTimer);
    this.deviceTimer = null;
    if (this.deviceNodes && this.context) {
      const now = this.context.currentTime;
      this.deviceNodes.envelope.gain.setValueAtTime(0, now);
      this.deviceNodes.oscillator.stop(now + 0.01);
    }
    this.deviceNodes = null;
  }

  stop() {
    this.deviceQuiet();
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
