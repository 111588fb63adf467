// Starts the API reference (/docs) once the pinned Scalar bundle has loaded.
window.Scalar && window.Scalar.createApiReference("#app", { url: "/openapi.json" });
