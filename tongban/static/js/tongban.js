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
