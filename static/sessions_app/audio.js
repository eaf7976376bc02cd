// Monitor sounds through Web Audio: the alarm tone and the QRS beep.
// Browsers keep an AudioContext suspended until a user gesture (or an autoplay permission), so
// the page offers a button until `running` is true; nothing here plays while it is not.

// IEC 60601-1-8 high-priority pattern: three pulses, a pause, two pulses, repeated.
const ALARM_PITCH_HZ = 960;
const ALARM_PULSE_STARTS = [0, 0.2, 0.4, 0.8, 1.0];
const ALARM_PULSE_SECONDS = 0.15;
const ALARM_REPEAT_MS = 3000;
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

  setAlarm(active) {
    if (active === (this.alarmTimer !== null)) return;
    if (active) {
      this.playAlarmBurst();
      this.alarmTimer = setInterval(() => this.playAlarmBurst(), ALARM_REPEAT_MS);
    } else {
      clearInterval(this.alarmTimer);
      this.alarmTimer = null;
      // Cut a burst already scheduled: the alarm is over now, not in a second.
      this.alarmBurst?.gain.setValueAtTime(0, this.context.currentTime);
      this.alarmBurst = null;
    }
  }

  beep(frequency) {
    if (!this.running) return;
    const { destination, currentTime } = this.context;
    this.tone(destination, frequency, currentTime, BEEP_SECONDS, 0.25, "sine");
  }

  stop() {
    this.setAlarm(false);
    this.context?.close();
  }

  playAlarmBurst() {
    if (!this.running) return;
    const burst = new GainNode(this.context);
    burst.connect(this.context.destination);
    this.alarmBurst = burst;
    const start = this.context.currentTime + 0.05;
    for (const offset of ALARM_PULSE_STARTS) {
      this.tone(burst, ALARM_PITCH_HZ, start + offset, ALARM_PULSE_SECONDS, 0.12, "square");
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
