// The template editor: "Add steps" appends blank steps at once, each a copy of the blank step the
// server rendered (<template id="empty-step">, Django's formset.empty_form), numbered as the
// formset expects; TOTAL_FORMS counts them. Without this script the page has three blank steps.
const form = document.getElementById("template-form");
const total = form.querySelector("[name=steps-TOTAL_FORMS]");
const maxSteps = Number(form.querySelector("[name=steps-MAX_NUM_FORMS]").value);
const blankStep = document.getElementById("empty-step").innerHTML;
const steps = document.getElementById("steps");
const controls = document.getElementById("add-steps");
const count = document.getElementById("add-step-count");
const button = document.getElementById("add-steps-button");
const full = document.getElementById("add-steps-full");

const room = () => maxSteps - Number(total.value);

function showRoom() {
  count.max = String(Math.max(room(), 1));
  button.disabled = count.disabled = room() <= 0;
  full.hidden = room() > 0;
}

function addSteps() {
  const wanted = Math.floor(Number(count.value)) || 1;
  const adding = Math.min(Math.max(wanted, 1), room());
  let first = null;
  for (let i = 0; i < adding; i += 1) {
    const index = Number(total.value);
    const html = blankStep.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
    steps.insertAdjacentHTML("beforeend", html);
    first ??= steps.lastElementChild;
    total.value = String(index + 1);
  }
  count.value = "1";
  showRoom();
  first?.querySelector("input, select, textarea")?.focus();
}

button.addEventListener("click", addSteps);
// Enter in the count adds steps; it must not submit (and save) the whole template.
count.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  addSteps();
});
controls.hidden = false;
showRoom();
