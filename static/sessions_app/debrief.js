// The debrief page: a Print button (the page's print stylesheet fits it to A4).
const button = document.getElementById("print-debrief");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
