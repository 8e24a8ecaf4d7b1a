/*
 * ansinh — the little behaviour the server-rendered pages need. No framework, no inline
 * handlers (the Content-Security-Policy forbids them): listeners sit on the document, so
 * content swapped in by htmx works without re-binding. Written in ES5 so the old browsers on
 * commune office PCs run it; every page still works when this file does not load.
 */
(function () {
  "use strict";

  /*
   * A list's filters (core/_filters.html) come open, so they show without this file. On a phone
   * they fill the first screen above the rows: close them there (the summary still counts the
   * filters set). Forms with errors lack data-close-narrow. The width is ansinh.css's phone one.
   */
  if (window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
    var boxes = document.querySelectorAll("details[data-close-narrow]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].open = false;
    }
  }

  /*
   * data-shown-by="id_x" on a field: its .field box shows only while checkbox id_x is ticked (the
   * split form asks the relation of those who leave only). Without this file every field shows.
   */
  function showDependents() {
    var fields = document.querySelectorAll("[data-shown-by]");
    for (var k = 0; k < fields.length; k++) {
      var box = document.getElementById(fields[k].getAttribute("data-shown-by"));
      var holder = (fields[k].closest && fields[k].closest(".field")) || fields[k];
      holder.hidden = !!box && !box.checked;
    }
  }
  showDependents();
  document.addEventListener("change", showDependents);

  /*
   * data-confirm="Question?" on a form or on its submit button: ask before sending.
   * Capture phase, so a refusal also stops htmx (which listens on the form itself).
   */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // data-confirm on a link (a GET that starts something, such as an export).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  /*
   * <button type="button" data-copy-target="#token" data-copied-label="Đã sao chép">: copy the
   * target's value (input, textarea) or text. The Clipboard API exists only on HTTPS or
   * localhost; commune servers are sometimes reached over plain HTTP on the LAN, hence the
   * select-and-execCommand fallback.
   */
  function textOf(target) {
    return "value" in target && target.tagName !== "BUTTON" ? target.value : target.textContent.trim();
  }

  function copyBySelection(target, text) {
    var field = target;
    if (!("select" in target)) {
      field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      // Off screen but rendered (a hidden field cannot be selected). CSSOM writes are allowed by
      // the CSP; only style attributes in markup are not.
      field.style.position = "fixed";
      field.style.top = "-100px";
      document.body.appendChild(field);
    }
    field.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    if (field !== target) {
      document.body.removeChild(field);
    }
    return ok;
  }

  function announce(button, ok) {
    var original = button.getAttribute("data-original-label");
    if (original === null) {
      original = button.textContent;
      button.setAttribute("data-original-label", original);
    }
    var label = ok ? button.getAttribute("data-copied-label") : button.getAttribute("data-copy-failed-label");
    // Without a translated label from the page, a check mark still shows that it worked.
    button.textContent = label || (ok ? original + " ✓" : original + " ✗");
    window.setTimeout(function () {
      button.textContent = original;
    }, 2000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var ref = button.getAttribute("data-copy-target");
    var target = document.getElementById(ref.replace(/^#/, ""));
    if (!target) {
      return;
    }
    var text = textOf(target);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { announce(button, true); },
        function () { announce(button, copyBySelection(target, text)); }
      );
    } else {
      announce(button, copyBySelection(target, text));
    }
  });
})();
