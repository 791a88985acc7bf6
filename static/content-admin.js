/* The rich-text editor of the admin's content forms (Trix, static/vendor/trix): its
   buttons in French, and no file attachments (images and PDFs have fields of their own;
   the server keeps only the tags it allows). Loaded before Trix itself. */
(function () {
  document.addEventListener("trix-before-initialize", function () {
    Object.assign(window.Trix.config.lang, {
      attachFiles: "Joindre des fichiers",
      bold: "Gras",
      bullets: "Liste à puces",
      byte: "octet",
      bytes: "octets",
      captionPlaceholder: "Ajouter une légende…",
      code: "Code",
      heading1: "Titre",
      indent: "Augmenter le retrait",
      italic: "Italique",
      link: "Lien",
      numbers: "Liste numérotée",
      outdent: "Diminuer le retrait",
      quote: "Citation",
      redo: "Rétablir",
      remove: "Retirer",
      strike: "Barré",
      undo: "Annuler",
      unlink: "Retirer le lien",
      url: "Adresse",
      urlPlaceholder: "Saisir une adresse…",
      GB: "Go",
      KB: "Ko",
      MB: "Mo",
      PB: "Po",
      TB: "To"
    });
  });
  document.addEventListener("trix-file-accept", function (event) {
    event.preventDefault();
  });
})();
