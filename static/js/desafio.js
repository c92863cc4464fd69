// The lookup's proof-of-work challenge (docs/seguranca.md). ALTCHA's external build ships no worker
// of its own: each algorithm is registered here with a worker started from our static files, which
// the Content-Security-Policy allows (worker-src 'self'; a blob: worker would be blocked).
const widget = document.querySelector("altcha-widget[data-trabalho]");
if (widget && globalThis.$altcha) {
  const trabalho = widget.dataset.trabalho;
  for (const algoritmo of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) {
    globalThis.$altcha.algorithms.set(algoritmo, () => new Worker(trabalho));
  }
}
