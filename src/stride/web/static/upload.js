/* Stride: the device-file upload form, made friendlier.
 *
 * Without this script the form is an ordinary multipart POST and the answer page shows the
 * import's status. With it: a file can be dropped on the drop zone, the upload runs in the
 * background with a progress bar (XMLHttpRequest upload progress), and the answer's status block
 * is put into the page, where HTMX polls it every second until the import is done or failed.
 * No inline script or style anywhere (the Content-Security-Policy forbids both).
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  ready(function () {
    var form = document.getElementById("upload-form");
    if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) {
      return;
    }
    var input = document.getElementById("upload-input");
    var zone = document.getElementById("dropzone");
    var chosen = document.getElementById("upload-chosen");
    var button = document.getElementById("upload-button");
    var box = document.getElementById("upload-progress-box");
    var bar = document.getElementById("upload-progress");
    var percent = document.getElementById("upload-percent");
    var result = document.getElementById("upload-result");
    var busy = false;

    function showChosen() {
      var file = input.files && input.files[0];
      chosen.textContent = file ? file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)" : "";
    }

    function setProgress(value) {
      bar.value = value;
      percent.textContent = value + " %";
    }

    function message(text) {
      var p = document.createElement("p");
      p.className = "error";
      p.setAttribute("role", "alert");
      p.textContent = text;
      result.replaceChildren(p);
    }

    function finish() {
      busy = false;
      button.disabled = false;
      button.removeAttribute("aria-busy");
      box.hidden = true;
    }

    function answered(xhr) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fresh = doc.getElementById("upload-result");
      if (fresh) {
        result.replaceChildren.apply(result, Array.prototype.slice.call(fresh.childNodes));
        if (window.htmx) {
          window.htmx.process(result); // start polling the import's status
        }
        form.reset();
        showChosen();
        return;
      }
      if (xhr.responseURL && xhr.responseURL.indexOf("/login") !== -1) {
        window.location.assign(xhr.responseURL); // the session ended: log in again
        return;
      }
      var heading = doc.querySelector("main h1");
      message("The upload did not go through (" + xhr.status + (heading ? ": " + heading.textContent : "") + ").");
    }

    function send() {
      if (busy) {
        return;
      }
      busy = true;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      box.hidden = false;
      setProgress(0);
      var data = new FormData(form);
      var token = form.querySelector("input[name=csrf_token]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "text/html");
      if (token) {
        xhr.setRequestHeader("X-CSRF-Token", token.value);
      }
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable && event.total > 0) {
          setProgress(Math.round((100 * event.loaded) / event.total));
        }
      });
      xhr.addEventListener("load", function () {
        setProgress(100);
        finish();
        answered(xhr);
      });
      xhr.addEventListener("error", function () {
        finish();
        message("The upload was interrupted. Check the connection and try again.");
      });
      xhr.addEventListener("abort", finish);
      xhr.send(data);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send();
    });
    input.addEventListener("change", showChosen);

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || files.length === 0) {
        return;
      }
      input.files = files;
      showChosen();
      send();
    });
  });
})();
