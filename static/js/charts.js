// The dashboard's charts: each canvas names the JSON element (json_script) holding its figures.
// The same figures are in the table beneath each chart, for screen readers and for copying.
document.addEventListener("DOMContentLoaded", () => {
  const colours = ["#0d6efd", "#adb5bd", "#d63384", "#198754", "#fd7e14"];
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") continue;
    const figures = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: figures.kind,
      data: {
        labels: figures.labels,
        datasets: Object.entries(figures.lines).map(([label, data], n) => ({
          label,
          data,
          backgroundColor: colours[n % colours.length],
          borderColor: colours[n % colours.length],
        })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
});
