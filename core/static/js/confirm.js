// Irreversible steps ask first: a button or form with data-confirm says what will happen,
// and the form is sent only once the person agrees.
document.addEventListener(
  "submit",
  (event) => {
    const text =
      (event.submitter && event.submitter.dataset.confirm) || event.target.dataset.confirm;
    if (text && !window.confirm(text)) event.preventDefault();
  },
  true,
);
