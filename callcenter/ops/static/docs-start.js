// Starts Swagger UI on the page /docs (a static file: no inline script).
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: root.dataset.openapi, dom_id: "#swagger-ui", deepLinking: true });
});
