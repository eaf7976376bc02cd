// The rhythm catalogue: what the control page offers and what the alarms need to know.
//
// simulator/contract/rhythms.json holds the same list for the server (labels translated there,
// red alarms, pulse defaults); heart-rhythms.test.mjs fails when the two disagree. After a change
// here (a template string: collectstatic rewrites quoted import paths, comments included):
// node -e 'import(`./static/sessions_app/heart/rhythms.js`).then((m) =>
//   console.log(JSON.stringify(m.catalogue(), null, 2)))' > simulator/contract/rhythms.json
//
//   RHYTHMS[id] = {
//     group,        // one of GROUPS: the control page's picker sections
//     label,        // English; the server translates
//     lethal,       // a red (high priority) alarm by itself
//     pulse,        // has a pulse by default; false = pleth, arterial line and cuff show nothing
//     rateIs,       // what the trainer's HR sets: "ventricular", "atrial", or null (ignored: VF, asystole)
//     ectopyEvery,  // default N of "an ectopic beat every N beats", or null where it does not apply
//     rate,         // default rate for the picker
//   }
//
// Atrial fibrillation is one id: slow and rapid AF are one mechanism with a different ventricular
// response, which is the rate the trainer sets (60 slow, 140 rapid), so two ids would only
// duplicate the model. `ventricular_fibrillation` is coarse VF (the id the server already uses).

export const GROUPS = ["sinus", "atrial", "junctional", "blocks", "ventricular", "paced", "st_t", "arrest"];

const rhythm = (group, label, rate, more = {}) => ({
  group,
  label,
  lethal: false,
  pulse: true,
  rateIs: "ventricular",
  ectopyEvery: null,
  rate,
  ...more,
});
const ARREST = { lethal: true, pulse: false };

export const RHYTHMS = {
  sinus: rhythm("sinus", "Sinus rhythm", 75),
  sinus_bradycardia: rhythm("sinus", "Sinus bradycardia", 45),
  sinus_tachycardia: rhythm("sinus", "Sinus tachycardia", 125),
  sinus_arrhythmia: rhythm("sinus", "Sinus arrhythmia", 70),
  pac: rhythm("atrial", "Premature atrial complexes", 80, { ectopyEvery: 4 }),
  svt: rhythm("atrial", "Supraventricular tachycardia", 180),
  atrial_flutter_2_1: rhythm("atrial", "Atrial flutter 2:1", 150),
  atrial_flutter_4_1: rhythm("atrial", "Atrial flutter 4:1", 75),
  atrial_flutter_variable: rhythm("atrial", "Atrial flutter, variable block", 100),
  atrial_fibrillation: rhythm("atrial", "Atrial fibrillation", 110),
  junctional: rhythm("junctional", "Junctional rhythm", 50),
  av_block_1: rhythm("blocks", "First-degree AV block", 70),
  av_block_2_mobitz_1: rhythm("blocks", "Second-degree AV block, Mobitz I (Wenckebach)", 80, {
    rateIs: "atrial",
  }),
  av_block_2_mobitz_2: rhythm("blocks", "Second-degree AV block, Mobitz II", 80, { rateIs: "atrial" }),
  av_block_2_to_1: rhythm("blocks", "Second-degree AV block, 2:1", 40),
  av_block_3: rhythm("blocks", "Complete heart block", 35),
  pvc_unifocal: rhythm("ventricular", "Unifocal PVCs", 80, { ectopyEvery: 6 }),
  pvc_multifocal: rhythm("ventricular", "Multifocal PVCs", 85, { ectopyEvery: 4 }),
  ventricular_bigeminy: rhythm("ventricular", "Ventricular bigeminy", 75, { ectopyEvery: 2 }),
  ventricular_trigeminy: rhythm("ventricular", "Ventricular trigeminy", 75, { ectopyEvery: 3 }),
  pvc_couplets: rhythm("ventricular", "PVC couplets", 80, { ectopyEvery: 6 }),
  idioventricular: rhythm("ventricular", "Idioventricular rhythm", 35),
  accelerated_idioventricular: rhythm("ventricular", "Accelerated idioventricular rhythm", 70),
  ventricular_tachycardia: rhythm("ventricular", "Ventricular tachycardia", 170, { lethal: true }),
  torsades_de_pointes: rhythm("ventricular", "Polymorphic VT / torsades de pointes", 220, ARREST),
  ventricular_fibrillation: rhythm("arrest", "Ventricular fibrillation (coarse)", 0, {
    ...ARREST,
    rateIs: null,
  }),
  ventricular_fibrillation_fine: rhythm("arrest", "Ventricular fibrillation (fine)", 0, {
    ...ARREST,
    rateIs: null,
  }),
  asystole: rhythm("arrest", "Asystole", 0, { ...ARREST, rateIs: null }),
  ventricular_standstill: rhythm("arrest", "Ventricular standstill (P waves only)", 70, {
    ...ARREST,
    rateIs: "atrial",
  }),
  agonal: rhythm("arrest", "Agonal rhythm", 12, ARREST),
  paced_atrial: rhythm("paced", "Atrial paced", 70),
  paced_ventricular: rhythm("paced", "Ventricular paced", 70),
  paced_av_sequential: rhythm("paced", "AV sequential paced", 70),
  pacing_failure_to_capture: rhythm("paced", "Pacemaker failure to capture", 70),
  pacing_failure_to_sense: rhythm("paced", "Pacemaker failure to sense", 80),
  stemi_anterior: rhythm("st_t", "Anterior STEMI", 90),
  stemi_inferior: rhythm("st_t", "Inferior STEMI", 70),
  st_depression: rhythm("st_t", "ST depression (ischaemia)", 100),
  hyperkalaemia: rhythm("st_t", "Hyperkalaemia (peaked T waves)", 70),
  long_qt: rhythm("st_t", "Long QT", 60),
  wpw: rhythm("st_t", "Wolff-Parkinson-White (pre-excitation)", 75),
  lbbb: rhythm("st_t", "Left bundle branch block", 75),
  rbbb: rhythm("st_t", "Right bundle branch block", 75),
};

export const RHYTHM_IDS = Object.keys(RHYTHMS);

// The catalogue as simulator/contract/rhythms.json spells it (snake_case keys for Python).
export function catalogue() {
  return {
    groups: GROUPS,
    rhythms: RHYTHM_IDS.map((id) => {
      const r = RHYTHMS[id];
      return {
        id,
        group: r.group,
        label: r.label,
        lethal: r.lethal,
        pulse: r.pulse,
        rate_is: r.rateIs,
        ectopy_every: r.ectopyEvery,
        default_rate: r.rate,
      };
    }),
  };
}
