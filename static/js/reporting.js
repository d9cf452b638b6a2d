// PRISMA page: download the diagram as PNG. The server sends SVG; the browser draws it on a canvas at twice the
// size and saves the canvas, so no image library is needed on the server.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("#prisma-png");
  if (!button) return;
  event.preventDefault();
  const response = await fetch(button.dataset.svgUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  const svgText = await response.text();
  // A data: URL, not a blob: one: the content security policy allows images from 'self' and data: only.
  const url = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText);
  const image = new Image();
  image.onload = () => {
    const scale = 2;
    const canvas = document.createElement("canvas");
    canvas.width = image.naturalWidth * scale;
    canvas.height = image.naturalHeight * scale;
    const context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const link = document.createElement("a");
    link.href = canvas.toDataURL("image/png");
    link.download = button.dataset.filename || "prisma.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  };
  image.src = url;
});
