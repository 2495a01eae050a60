// The staff pages' script. Without it every link and form still works (a candidate's link
// opens the recording at its in point); with it, "play from" seeks the video beside it.
"use strict";
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.play[data-video]");
  if (!link) return;
  const video = document.getElementById(link.dataset.video);
  const seconds = Number(link.dataset.seconds);
  if (!video || !Number.isFinite(seconds)) return;
  event.preventDefault();
  video.currentTime = seconds;
  video.play().catch(() => {});
  video.focus();
});
