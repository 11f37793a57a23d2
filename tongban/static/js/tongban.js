// Page behaviour that would otherwise be inline script, which the Content-Security-Policy forbids.
// data-print: the button prints the page; data-confirm: the form asks before it is sent.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
// data-select-on-focus: a read-only value (a key shown once) is selected whole, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});

// input[type=file]: the browser draws its own control in the browser's language ("Choose File");
// this gives it a button and a line in the page's language. The input stays in the form, focusable
// (Enter or Space opens the picker), transparent over the button, so a tap on it opens the picker;
// without script, the browser's control is there as before.
const FILE_WORDS = {
  zh: { choose: "选择文件", none: "未选择文件", many: (n) => `已选择 ${n} 个文件` },
  en: { choose: "Choose a file", none: "No file chosen", many: (n) => `${n} files chosen` },
};

function fileControl(input) {
  if (input.dataset.fileControl) return;
  input.dataset.fileControl = "on";
  const words = FILE_WORDS[document.documentElement.lang.startsWith("en") ? "en" : "zh"];
  const control = document.createElement("span");
  control.className = "file-control";
  const button = document.createElement("span");
  button.className = "button secondary small";
  button.setAttribute("aria-hidden", "true");
  button.textContent = words.choose;
  const chosen = document.createElement("span");
  chosen.className = "file-chosen muted";
  chosen.setAttribute("aria-live", "polite");
  chosen.textContent = words.none;
  input.before(control);
  control.append(input, button, chosen);
  input.addEventListener("change", () => {
    const count = input.files.length;
    chosen.textContent = count === 0 ? words.none : count === 1 ? input.files[0].name : words.many(count);
  });
}

function fileControls(root) {
  root.querySelectorAll('input[type="file"]').forEach(fileControl);
}
document.addEventListener("DOMContentLoaded", () => fileControls(document));
document.addEventListener("htmx:load", (event) => fileControls(event.detail.elt));
