// Starts the API reference (/docs) once the pinned Scalar bundle has loaded.
const app = document.getElementById("app");
if (window.Scalar && app) window.Scalar.createApiReference("#app", { url: app.dataset.openapi || "/openapi.json" });
