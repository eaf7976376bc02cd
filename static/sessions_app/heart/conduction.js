// The heart's electrical activity as a list of events: conduction is modelled, not painted.
//
// Atrial depolarisations (sinus, ectopic, retrograde, paced P waves, flutter waves) and ventricular
// ones (conducted, junctional, escape, ectopic, paced QRS) come from separate clocks and are joined
// by the rhythm's AV rule (1:1, first degree, Wenckebach, Mobitz II, 2:1, flutter ratios, none).
// A P wave reaches the ventricles PR seconds later unless the AV node or the ventricles are still
// refractory, which is what makes a PVC's compensatory pause, a P wave lost in a T wave, or a
// pacemaker spike that fails to capture: the same rules, not special cases.
//
// API (pure, no DOM; randomness only from the injected rng, so one seed gives one strip):
//   const heart = createHeart({ rhythm, rate, ectopyEvery, atrialRate, pacingRate,
//                               respiratoryRate, pulse, rng, start, memorySeconds });
//   heart.schedule(until)        -> the events newly added, through time `until` (seconds).
//                                   Call it ahead of the sweep (now + 0.5 s): a QRS is drawn from
//                                   its onset, a P wave from its start.
//   heart.setRhythm(id, at, { rate, ectopyEvery, pulse })
//   heart.setRate(rate, at); heart.setEctopy(n, at); heart.setPulse(hasPulse, at)
//   heart.setRespiratoryRate(rate, at)  breathing (sinus arrhythmia, baseline wander, pulsus
//                                   paradoxus) follows from `at` without a jump in its phase
//                                   Everything up to `at` is kept (with a QRS its P wave already
//                                   started), what was planned after it is replanned: no jump.
//   heart.forget(before)         -> drops events and segments that no longer touch any sample.
//   heartRateAt(trace, t)        -> the rate a monitor counts from the QRS complexes (0 in arrest)
//   heart.events                    sorted by t; heart.segments: continuous activity (AF, VF);
//   heart.breaths                   breathing; breathPhase(trace, t) gives its phase in cycles.
// The heart object is the `trace` that vector.js, leads.js and pulse.js sample.
//
// Event fields: t (s), kind "p" | "flutter" | "qrs" | "pace_spike", origin ("sinus", "ectopic",
// "retrograde", "paced", "flutter", "conducted", "junctional", "escape", "ventricular",
// "supraventricular"), form (the morphology vector.js draws), conducted (P: reached the
// ventricles; QRS: came through the AV node), pr (s, or null), qt (s), qrsd (s), rr (s since the
// previous QRS), cycle (60 / set rate), gain (beat-to-beat amplitude), kick (a timed atrial contraction filled the
// ventricles), pulse (0..1 mechanical strength, 0 = none), p (time of the P wave it conducts),
// focus (PVC focus 0-2), axis (torsades), width (QRS compression at fast ventricular rates), and
// for pace spikes chamber "a" | "v" and captured.
// Options: atrialRate sets the sinus rate of complete block or the flutter rate of variable
// flutter; pacingRate the asynchronous pacemaker of failure to sense; memorySeconds how much
// history schedule() keeps. A change restarts the rhythm's counters (ectopy, Wenckebach group).

import { RHYTHMS } from "./rhythms.js";

// Refractory periods, seconds. AV node after a concealed retrograde PVC; ventricle after a QRS.
const NODE_REFRACTORY_AFTER_PVC = 0.45;
const VENTRICULAR_REFRACTORY = 0.3;
// A new clock never fires sooner than this after a change, so nothing is cut off.
const RESTART_LEAD = 0.05;
// By default schedule() drops events and segments older than this before `until`: a 12-lead
// acquisition needs the last 10 s.
const MEMORY_SECONDS = 15;
// The QTc of a normal heart, seconds; shortened with rate by Fridericia's cube-root formula,
// QT = QTc * RR^(1/3) (Fridericia 1920), which over-corrects less than Bazett's square root at
// the fast rates a simulator is asked for (Vandenberk et al., J Am Heart Assoc 2016).
const QTC = 0.41;
// The sinus rate behind complete heart block unless the atrialRate option sets it.
const BLOCKED_SINUS_RATE = 78;

// Per-rhythm model. atrial: the atrial clock; av: how P waves conduct; ventricular: an
// independent ventricular clock; form: QRS morphology; background: continuous activity.
const SINUS = { atrial: "sinus", av: "normal", form: "narrow" };
export const MODELS = {
  sinus: SINUS,
  sinus_bradycardia: SINUS,
  sinus_tachycardia: SINUS,
  // Respiratory sinus arrhythmia: the rate rises in inspiration, ±12 % here against ±2 %.
  sinus_arrhythmia: { ...SINUS, respiratory: 0.12 },
  pac: { ...SINUS, ectopy: "pac" },
  svt: { ventricular: "svt", form: "narrow" },
  atrial_flutter_2_1: { atrial: "flutter", av: 2, form: "narrow" },
  atrial_flutter_4_1: { atrial: "flutter", av: 4, form: "narrow" },
  atrial_flutter_variable: { atrial: "flutter", av: "variable", form: "narrow" },
  atrial_fibrillation: { ventricular: "af", form: "narrow", background: "af" },
  junctional: { ventricular: "junctional", form: "narrow" },
  av_block_1: { ...SINUS, av: "first" },
  av_block_2_mobitz_1: { ...SINUS, av: "wenckebach" },
  av_block_2_mobitz_2: { ...SINUS, av: "mobitz2" },
  av_block_2_to_1: { ...SINUS, av: "2to1" },
  av_block_3: { ...SINUS, av: "none", ventricular: "escape" },
  pvc_unifocal: { ...SINUS, ectopy: "pvc" },
  pvc_multifocal: { ...SINUS, ectopy: "pvc", multifocal: true },
  ventricular_bigeminy: { ...SINUS, ectopy: "pvc" },
  ventricular_trigeminy: { ...SINUS, ectopy: "pvc" },
  pvc_couplets: { ...SINUS, ectopy: "couplet" },
  idioventricular: { ventricular: "idio", form: "idio" },
  accelerated_idioventricular: { ventricular: "idio", form: "idio" },
  ventricular_tachycardia: { ventricular: "vt", form: "vt" },
  torsades_de_pointes: { ventricular: "torsades", form: "torsades" },
  ventricular_fibrillation: { background: "vf" },
  ventricular_fibrillation_fine: { background: "vf_fine" },
  asystole: {},
  ventricular_standstill: { ...SINUS, av: "none" },
  agonal: { ventricular: "agonal", form: "agonal" },
  paced_atrial: { atrial: "paced", av: "normal", form: "narrow" },
  paced_ventricular: { ventricular: "pacer", form: "paced" },
  paced_av_sequential: { atrial: "paced", av: "paced", form: "paced" },
  pacing_failure_to_capture: { ventricular: "pacer", form: "paced", captureShare: 0.7 },
  pacing_failure_to_sense: { ...SINUS, ventricular: "asynchronous", form: "narrow" },
  stemi_anterior: { ...SINUS, form: "stemi_anterior" },
  stemi_inferior: { ...SINUS, form: "stemi_inferior" },
  st_depression: { ...SINUS, form: "st_depression" },
  hyperkalaemia: { ...SINUS, form: "hyperkalaemia", p: "p_flat" },
  long_qt: { ...SINUS, form: "narrow", qtc: 0.56 },
  wpw: { ...SINUS, form: "wpw", pr: 0.1 },
  lbbb: { ...SINUS, form: "lbbb" },
  rbbb: { ...SINUS, form: "rbbb" },
};

// QRS duration (s) and ejection relative to a normal beat, by form. A PVC or a ventricular
// rhythm contracts the ventricles out of sequence and ejects less (dyssynchrony).
const QRS_DURATION = {
  narrow: 0.09, stemi_anterior: 0.09, stemi_inferior: 0.09, st_depression: 0.09,
  hyperkalaemia: 0.11, wpw: 0.12, lbbb: 0.15, rbbb: 0.14,
  pvc: 0.16, vt: 0.16, idio: 0.16, paced: 0.16, torsades: 0.16, agonal: 0.24,
};
const EJECTION = { pvc: 0.55, vt: 0.6, idio: 0.75, paced: 0.85, lbbb: 0.95, torsades: 0, agonal: 0 };
// Without a well-timed atrial contraction the ventricles fill about 15 % less (atrial kick).
const NO_ATRIAL_KICK = 0.85;
const WITHOUT_ATRIAL_KICK = new Set(["ventricular", "escape", "junctional", "supraventricular"]);
// Ventricular filling against time since the last beat: most of it in the first 0.3 s.
const FILLING_TIME_CONSTANT = 0.3;

// A normally distributed number from the uniform rng (Box-Muller).
function gauss(rng) {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export function qtFor(rr, qtc = QTC) {
  return qtc * Math.cbrt(Math.min(2, Math.max(0.3, rr)));
}

export function createHeart({
  rhythm = "sinus",
  rate,
  ectopyEvery,
  atrialRate,
  pacingRate = 60,
  respiratoryRate = 12,
  pulse,
  rng,
  start = 0,
  memorySeconds = MEMORY_SECONDS,
} = {}) {
  if (!MODELS[rhythm]) throw new Error(`unknown rhythm ${rhythm}`);
  if (typeof rng !== "function") throw new Error("createHeart needs an rng, such as makeRng(seed)");
  const h = {
    events: [],
    segments: [],
    breaths: [{ t0: start, phase: 0, period: 60 / respiratoryRate }],
    rng,
    pacingRate,
    memorySeconds,
    atrialRateOption: atrialRate,
    queue: [],
    lastA: null,
    lastQ: null,
  };
  const heart = {
    get events() { return h.events; },
    get segments() { return h.segments; },
    get breaths() { return h.breaths; },
    get rhythm() { return h.rhythm; },
    get rate() { return h.rate; },
    schedule: (until) => schedule(h, until),
    setRhythm: (id, at, options = {}) => change(h, at, { rhythm: id, ...options }),
    setRate: (value, at) => change(h, at, { rate: value }),
    setEctopy: (n, at) => change(h, at, { ectopyEvery: n }),
    setPulse: (hasPulse, at) => change(h, at, { pulse: hasPulse }),
    setRespiratoryRate: (value, at) => breathe(h, value, at),
    forget: (before) => forget(h, before),
  };
  configure(h, { rhythm, rate, ectopyEvery, pulse }, start);
  return heart;
}

function configure(h, { rhythm, rate, ectopyEvery, pulse }, at) {
  const rhythmChanged = rhythm !== undefined && rhythm !== h.rhythm;
  if (rhythm !== undefined) {
    if (!MODELS[rhythm]) throw new Error(`unknown rhythm ${rhythm}`);
    h.rhythm = rhythm;
    h.model = MODELS[rhythm];
  }
  const info = RHYTHMS[h.rhythm];
  // A rate of null (as JSON sends "not set") means the rhythm's default.
  if (rate != null) h.rate = rate;
  else if (rhythmChanged) h.rate = info.rate;
  if (ectopyEvery !== undefined) h.ectopyEvery = ectopyEvery;
  else if (rhythmChanged) h.ectopyEvery = info.ectopyEvery;
  if (pulse !== undefined) h.pulse = pulse;
  else if (rhythmChanged) h.pulse = info.pulse;
  if (rhythmChanged) switchSegment(h, at);
  restart(h, at);
}

// Continuous activity (fibrillation) lives in segments; a change ends one and starts another,
// and vector.js fades between them.
function switchSegment(h, at) {
  const current = h.segments.at(-1);
  if (current && current.t1 > at) current.t1 = at;
  const kind = h.model.background;
  if (!kind) return;
  // Each segment gets its own phases, so two VF episodes never look the same.
  const phases = Array.from({ length: 9 }, () => 2 * Math.PI * h.rng());
  h.segments.push({ t0: at, t1: Infinity, kind, phases });
}

function change(h, at, options) {
  // Keep what is drawn: events through `at`, and the QRS (with its spike) of a P wave that has
  // already begun, whether already scheduled or still on its way.
  const begun = (e) => e.p !== undefined && e.p <= at;
  const kept = h.events.filter((e) => e.t <= at || begun(e));
  h.events = kept;
  h.queue = h.queue.filter(begun);
  const lastOf = (test) => kept.findLast(test)?.t ?? null;
  h.lastA = lastOf((e) => e.kind === "p" || e.kind === "flutter");
  h.lastQ = lastOf((e) => e.kind === "qrs");
  configure(h, options, at);
  if (options.pulse !== undefined) {
    for (const e of h.events) if (e.t > at && e.kind === "qrs") e.pulse = pulseFor(h, e);
  }
}

function forget(h, before) {
  h.events = h.events.filter((e) => e.t >= before);
  h.segments = h.segments.filter((s) => s.t1 >= before);
  h.breaths = h.breaths.filter((b, i) => i === h.breaths.length - 1 || h.breaths[i + 1].t0 > before);
}

// The heart rate a monitor counts at t: 60 over the mean RR of the last beats, 0 once no QRS
// has come for MONITOR_ASYSTOLE_SECONDS (what the HR tile shows when the set rate is atrial).
const MONITOR_BEATS = 8;
const MONITOR_ASYSTOLE_SECONDS = 6;

export function heartRateAt(trace, t) {
  const times = [];
  const { events } = trace;
  for (let i = events.length - 1; i >= 0 && times.length <= MONITOR_BEATS; i -= 1) {
    if (events[i].kind === "qrs" && events[i].t <= t) times.push(events[i].t);
  }
  if (times.length < 2 || t - times[0] > MONITOR_ASYSTOLE_SECONDS) return 0;
  return Math.round((60 * (times.length - 1)) / (times[0] - times.at(-1)));
}

// Breathing as a phase in cycles that stays continuous when the rate changes (0 = apnoea).
export function breathPhase(trace, t) {
  const { breaths } = trace;
  let i = breaths.length - 1;
  while (i > 0 && breaths[i].t0 > t) i -= 1;
  const b = breaths[i];
  return b.phase + (t - b.t0) / b.period;
}

function breathe(h, respiratoryRate, at) {
  const phase = breathPhase(h, at);
  h.breaths = h.breaths.filter((b) => b.t0 < at);
  h.breaths.push({ t0: at, phase, period: respiratoryRate > 0 ? 60 / respiratoryRate : Infinity });
}

function atrialRate(h) {
  const { atrial, av } = h.model;
  if (h.atrialRateOption && (av === "none" || av === "variable")) return h.atrialRateOption;
  if (av === "2to1") return 2 * h.rate;
  if (typeof av === "number") return av * h.rate;
  // Flutter circuits turn at about 300/min (Waldo, Circulation 2002).
  if (av === "variable") return 300;
  // Complete block: the sinus node keeps its own rate, independent of the escape rhythm.
  if (av === "none" && h.model.ventricular) return BLOCKED_SINUS_RATE;
  return atrial ? h.rate : 0;
}

function restart(h, at) {
  const { atrial, ventricular } = h.model;
  h.nodeRefractoryUntil = -Infinity;
  h.count = 0;
  h.wenck = 0;
  h.wenckLength = 4;
  h.mobitz = 0;
  h.mobitzLength = 3;
  h.flip = false;
  h.flutterCount = 0;
  h.flutterRatio = 2;
  h.pacDue = false;
  h.couplet = 0;
  const hasRate = h.rate > 0;
  h.nextA = null;
  if (atrial && hasRate) {
    const interval = 60 / atrialRate(h);
    h.nextA = Math.max(at + RESTART_LEAD, (h.lastA ?? -Infinity) + interval);
  }
  h.nextV = null;
  if (ventricular && hasRate) {
    const interval = ventricular === "asynchronous" ? 60 / h.pacingRate : 60 / h.rate;
    // After the last QRS, including one still on its way from a P wave that began before.
    const lastQrs = Math.max(h.lastQ ?? -Infinity, ...h.queue.map((q) => q.t));
    h.nextV = Math.max(at + RESTART_LEAD, lastQrs + interval);
  }
}

function schedule(h, until) {
  const added = [];
  for (;;) {
    const tA = h.nextA ?? Infinity;
    const tV = h.nextV ?? Infinity;
    const tQ = h.queue.length ? h.queue[0].t : Infinity;
    const t = Math.min(tA, tV, tQ);
    if (!(t <= until)) break;
    if (t === tQ) arrive(h, h.queue.shift(), added);
    else if (t === tA) atrialBeat(h, added);
    else ventricularClock(h, added);
  }
  // Emission follows time except a spike and its P or QRS at the same instant: sort to be sure,
  // and merge behind a QRS kept from before a change if the new rhythm starts sooner.
  added.sort((a, b) => a.t - b.t);
  const unordered = added.length > 0 && h.events.length > 0 && added[0].t < h.events.at(-1).t;
  h.events.push(...added);
  if (unordered) h.events.sort((a, b) => a.t - b.t);
  forget(h, until - h.memorySeconds);
  return added;
}

function enqueue(h, item) {
  const i = h.queue.findIndex((q) => q.t > item.t);
  h.queue.splice(i < 0 ? h.queue.length : i, 0, item);
}

// Sinus cycle length, modulated by breathing and jittered a little (heart rate variability).
function sinusInterval(h, t) {
  const depth = h.model.respiratory ?? 0.02;
  const factor = 1 + depth * Math.sin(2 * Math.PI * breathPhase(h, t));
  return (60 / atrialRate(h) / factor) * (1 + 0.006 * gauss(h.rng));
}

function atrialBeat(h, added) {
  const t = h.nextA;
  const { atrial } = h.model;
  let origin = atrial === "flutter" ? "flutter" : atrial === "paced" ? "paced" : "sinus";
  let form = atrial === "flutter" ? "flutter" : atrial === "paced" ? "p_paced" : (h.model.p ?? "p_sinus");
  if (h.pacDue) {
    origin = "ectopic";
    form = "p_ectopic";
    h.pacDue = false;
  }
  if (atrial === "paced") added.push({ t, kind: "pace_spike", chamber: "a", captured: true });
  const pr = conduct(h, t, origin);
  const event = {
    t,
    kind: atrial === "flutter" ? "flutter" : "p",
    origin,
    form,
    conducted: pr !== null,
    pr,
    gain: 1 + 0.03 * gauss(h.rng),
  };
  added.push(event);
  h.lastA = t;
  if (pr !== null) {
    enqueue(h, { t: t + pr, type: h.model.av === "paced" ? "paced" : "conducted", p: t, pr, event });
  }
  h.nextA = t + (atrial === "sinus" ? sinusInterval(h, t) : 60 / atrialRate(h));
}

// The AV rule: the PR interval of a conducted P wave, or null for a blocked one.
function conduct(h, t, origin) {
  // Concealed retrograde conduction of a PVC leaves the node refractory.
  if (t + 0.04 < h.nodeRefractoryUntil) return null;
  const { av } = h.model;
  const base = h.model.pr ?? Math.max(0.12, 0.17 - 0.0004 * (h.rate - 60));
  if (av === "normal") return origin === "ectopic" ? base + 0.02 : base;
  if (av === "first") return 0.3;
  if (av === "paced") return 0.16;
  if (av === "none") return null;
  if (av === "2to1") {
    h.flip = !h.flip;
    return h.flip ? 0.18 : null;
  }
  if (av === "wenckebach") {
    // PR lengthens by ever smaller steps (0.09, 0.045, 0.022 s...) until one P is blocked;
    // groups of 3:2 to 5:4 (Wenckebach 1899).
    const k = h.wenck;
    if (k >= h.wenckLength - 1) {
      h.wenck = 0;
      h.wenckLength = 3 + Math.floor(3 * h.rng());
      return null;
    }
    h.wenck += 1;
    return 0.2 + 0.18 * (1 - 0.5 ** k);
  }
  if (av === "mobitz2") {
    // A constant PR, then a P wave blocked without warning after 2 to 4 conducted ones.
    if (h.mobitz >= h.mobitzLength) {
      h.mobitz = 0;
      h.mobitzLength = 2 + Math.floor(3 * h.rng());
      return null;
    }
    h.mobitz += 1;
    return 0.18;
  }
  // Flutter: one wave in `ratio` reaches the ventricles; variable ratios average the set rate.
  const flutterPr = 0.26;
  if (h.flutterCount % h.flutterRatio === 0) {
    h.flutterCount = 1;
    if (av === "variable") {
      // Rounding a uniform draw two wide around the mean ratio: ratios vary, their mean holds.
      const mean = Math.min(6, Math.max(2.5, atrialRate(h) / Math.max(h.rate, 1)));
      h.flutterRatio = Math.round(mean + 2 * (h.rng() - 0.5));
    } else h.flutterRatio = av;
    return flutterPr;
  }
  h.flutterCount += 1;
  return null;
}

// A P wave's impulse (or a queued PVC) reaches the ventricles.
function arrive(h, item, added) {
  const { t } = item;
  if (item.type === "pvc") {
    ectopicBeat(h, t, item.focus, added);
    return;
  }
  if (item.type === "junctional") {
    added.push(qrs(h, t, "junctional", "narrow", { p: item.p }));
    return;
  }
  if (h.lastQ !== null && t - h.lastQ < VENTRICULAR_REFRACTORY) {
    item.event.conducted = false;
    return;
  }
  if (item.type === "paced") {
    added.push({ t, kind: "pace_spike", chamber: "v", captured: true, p: item.p });
    added.push(qrs(h, t, "paced", "paced", { pr: item.pr, p: item.p, kick: true }));
  } else {
    const kick = item.event.origin !== "flutter";
    // A P wave that began before a change to a rhythm without a QRS form still conducts.
    added.push(qrs(h, t, "conducted", h.model.form ?? "narrow", { pr: item.pr, p: item.p, kick }));
  }
  afterNormalBeat(h, t);
  // A QRS resets a demand pacemaker or an escape focus (overdrive suppression).
  if (h.model.ventricular === "escape") h.nextV = t + 60 / h.rate;
}

// Ectopy "every N beats": after N-1 normal complexes comes the ectopic one.
function afterNormalBeat(h, t) {
  const { ectopy } = h.model;
  if (!ectopy || !(h.ectopyEvery >= 2)) return;
  h.count += 1;
  if (h.count < h.ectopyEvery - 1) return;
  h.count = 0;
  const rr = 60 / h.rate;
  if (ectopy === "pac") {
    // The PAC comes early and resets the sinus node: a pause that is not compensatory.
    h.pacDue = true;
    h.nextA = h.lastA + rr * (0.62 + 0.06 * h.rng());
    return;
  }
  // Multifocal: each PVC from another of the three foci than the one before.
  h.focus = h.model.multifocal ? ((h.focus ?? 0) + 1 + Math.floor(2 * h.rng())) % 3 : 0;
  const focus = h.focus;
  const coupling = rr * (h.model.multifocal ? 0.5 + 0.15 * h.rng() : 0.58);
  enqueue(h, { t: t + Math.max(0.3, coupling), type: "pvc", focus });
  h.couplet = ectopy === "couplet" ? 1 : 0;
}

function ectopicBeat(h, t, focus, added) {
  added.push(qrs(h, t, "ventricular", "pvc", { focus }));
  // The PVC conducts back into the AV node: the next sinus P wave is blocked, so the pause
  // that follows is compensatory (the sinus node is not reset).
  h.nodeRefractoryUntil = t + NODE_REFRACTORY_AFTER_PVC;
  if (h.couplet === 1) {
    h.couplet = 0;
    const second = t + Math.max(VENTRICULAR_REFRACTORY + 0.02, 0.45 * (60 / h.rate));
    enqueue(h, { t: second, type: "pvc", focus: h.model.multifocal ? (focus + 1) % 3 : focus });
  }
}

function ventricularClock(h, added) {
  const t = h.nextV;
  const { ventricular } = h.model;
  const rr = 60 / h.rate;
  let next = rr;
  if (ventricular === "escape") {
    // Escape below 40/min is ventricular (wide), above it junctional (narrow).
    added.push(qrs(h, t, "escape", h.rate >= 40 ? "narrow" : "idio", {}));
  } else if (ventricular === "junctional") {
    // Retrograde atrial activation just before the QRS: an inverted P with a short PR.
    added.push({ t, kind: "p", origin: "retrograde", form: "p_retro", conducted: false, pr: null, gain: 1 });
    h.lastA = t;
    enqueue(h, { t: t + 0.06, type: "junctional", p: t });
    next = rr * (1 + 0.005 * gauss(h.rng));
  } else if (ventricular === "svt") {
    added.push(qrs(h, t, "supraventricular", "narrow", {}));
    next = rr * (1 + 0.002 * gauss(h.rng));
  } else if (ventricular === "af") {
    // The AV node filters chaotic atrial input: a refractory floor plus a random wait, which
    // gives the irregularly irregular, right-skewed RR of AF around the set mean.
    added.push(qrs(h, t, "conducted", h.model.form, { kick: false }));
    next = Math.min(2.2 * rr, rr * (0.6 - 0.4 * Math.log(1 - h.rng())));
    next = Math.max(0.25, next);
  } else if (ventricular === "idio" || ventricular === "vt") {
    added.push(qrs(h, t, "ventricular", h.model.form, {}));
    next = rr * (1 + 0.01 * gauss(h.rng));
  } else if (ventricular === "torsades") {
    added.push(qrs(h, t, "ventricular", "torsades", {}));
    next = rr * (0.9 + 0.2 * h.rng());
  } else if (ventricular === "agonal") {
    added.push(qrs(h, t, "ventricular", "agonal", {}));
    next = rr * (0.6 + h.rng());
  } else if (ventricular === "pacer") {
    const captured = h.rng() < (h.model.captureShare ?? 1);
    added.push({ t, kind: "pace_spike", chamber: "v", captured });
    if (captured) added.push(qrs(h, t, "paced", "paced", {}));
  } else if (ventricular === "asynchronous") {
    // Failure to sense: the pacemaker fires on its own clock, capturing only when the
    // ventricles are not refractory from the patient's own beat.
    next = 60 / h.pacingRate;
    const captured = h.lastQ === null || t - h.lastQ >= VENTRICULAR_REFRACTORY + 0.1;
    added.push({ t, kind: "pace_spike", chamber: "v", captured });
    if (captured) added.push(qrs(h, t, "paced", "paced", {}));
  }
  h.nextV = t + next;
}

function qrs(h, t, origin, form, { pr = null, p, focus, kick = true }) {
  const rr = h.lastQ === null ? 60 / Math.max(h.rate, 1) : t - h.lastQ;
  const qrsd = QRS_DURATION[form];
  const wide = qrsd > 0.12;
  const qtc = h.model.qtc ?? (wide ? 0.46 : QTC);
  const event = {
    t,
    kind: "qrs",
    origin,
    form,
    conducted: origin === "conducted",
    pr,
    // The QRS and T of a fast ventricular rhythm compress so complexes do not overlap.
    width: wide ? Math.min(1, Math.max(0.65, rr / 0.45)) : 1,
    qt: qtFor(rr, qtc),
    qrsd,
    rr,
    // The cycle the rhythm is set to: how long this beat's pulse has before the next one is due.
    cycle: 60 / Math.max(h.rate, 1),
    gain: 1 + 0.03 * gauss(h.rng),
    pulse: 0,
  };
  if (p !== undefined) event.p = p;
  if (focus !== undefined) event.focus = focus;
  if (form === "torsades") event.axis = (Math.PI * t) / 2.4;
  if (form === "agonal") event.gain *= 0.6 + 0.3 * h.rng();
  event.kick = kick && !WITHOUT_ATRIAL_KICK.has(origin);
  event.pulse = pulseFor(h, event);
  h.lastQ = t;
  return event;
}

// Mechanical strength of a beat, 0..1: none without a pulse; otherwise the filling time before
// it (Frank-Starling: a premature beat ejects less), the activation sequence and the atrial kick.
function pulseFor(h, e) {
  if (!h.pulse) return 0;
  const ejection = EJECTION[e.form] ?? 1;
  const filling = 1 - Math.exp(-e.rr / FILLING_TIME_CONSTANT);
  const kick = e.kick ? 1 : NO_ATRIAL_KICK;
  return Math.round(1000 * Math.min(1, ejection * filling * kick)) / 1000;
}
