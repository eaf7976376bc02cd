// The template editor: "Add steps" appends blank steps at once, each a copy of the blank step the
// server rendered (<template id="empty-step">, Django's formset.empty_form), numbered as the
// formset expects; TOTAL_FORMS counts them. Without this script the page has three blank steps.
// "Add an action" adds a blank row of expected actions the same way: a copy of the list's last
// row, numbered after it, counted in its action_rows field (without the script: two blank rows).
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
    showAddAction(steps.lastElementChild);
    first ??= steps.lastElementChild;
    total.value = String(index + 1);
  }
  count.value = "1";
  showRoom();
  first?.querySelector("input, select, textarea")?.focus();
}

button.addEventListener("click", addSteps);

// At most this many actions per list (assessment/expected.py MAX_ACTIONS): the button stops there.
const MAX_ACTIONS = 30;

function addAction(fieldset) {
  const rowsInput = fieldset.querySelector("input[name$=action_rows]");
  const rows = fieldset.querySelector("tbody");
  const last = rows.lastElementChild;
  const number = Number(rowsInput.value) + 1;
  if (!last || number > MAX_ACTIONS) return;
  const row = last.cloneNode(true);
  for (const element of row.querySelectorAll("[name], [id], [for]")) {
    for (const attribute of ["name", "id", "for"]) {
      const value = element.getAttribute(attribute);
      if (value) element.setAttribute(attribute, value.replace(/act_\d+_/, `act_${number}_`));
    }
  }
  for (const input of row.querySelectorAll("input")) {
    if (input.type === "checkbox") input.checked = false;
    else input.value = "";
  }
  for (const select of row.querySelectorAll("select")) select.selectedIndex = 0;
  row.querySelectorAll("p.error").forEach((error) => error.remove());
  row.querySelectorAll("label.visually-hidden").forEach((label) => {
    label.textContent = label.textContent.replace(/\(\d+\)$/, `(${number})`);
  });
  rows.append(row);
  rowsInput.value = String(number);
  fieldset.querySelector(".add-action").hidden = number >= MAX_ACTIONS;
  row.querySelector("input:not([type=hidden])")?.focus();
}

form.addEventListener("click", (event) => {
  const add = event.target.closest(".add-action");
  if (add) addAction(add.closest("fieldset"));
});
const showAddAction = (root) => root.querySelectorAll(".add-action").forEach((add) => (add.hidden = false));
showAddAction(form);
// Enter in the count adds steps; it must not submit (and save) the whole template.
count.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  addSteps();
});
controls.hidden = false;
showRoom();
