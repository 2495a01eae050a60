// The staff pages' script. Without it every link and form still works (a candidate's link
// opens the recording at its in point, in and out are typed as seconds); with it, "play from"
// seeks the video beside it, and in and out points are set while watching (SReview's check:
// set them at the player's time, nudge them by 1 or 10 s, play the first and last seconds);
// chapter starts and transcript lines are set at the player's time too, and the line being
// said is highlighted.
"use strict";

/// Seconds the preview of a cut's start or end plays.
const PREVIEW_SECONDS = 5;

for (const hidden of document.querySelectorAll(".needs-script")) hidden.hidden = false;

// A field's seconds: plain (`75.5`) or, in a field marked data-clock, `h:mm:ss.s` as well.
function secondsIn(input) {
  const text = String(input.value).trim().replace(",", ".");
  let value = 0;
  for (const part of text.split(":")) value = value * 60 + Number(part);
  return Number.isFinite(value) ? value : 0;
}

function clock(seconds) {
  const tenths = Math.round(seconds * 10);
  const whole = Math.floor(tenths / 10);
  const text = `${Math.floor(whole / 3600)}:${String(Math.floor(whole / 60) % 60).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
  return tenths % 10 ? `${text}.${tenths % 10}` : text;
}

function setSeconds(input, seconds, video) {
  const end = video && Number.isFinite(video.duration) ? video.duration : Infinity;
  const value = Math.round(Math.min(Math.max(0, seconds), end) * 10) / 10;
  input.value = input.hasAttribute("data-clock") ? clock(value) : String(value);
}

let stopAt = null;

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.play[data-video]");
  if (link) {
    const video = document.getElementById(link.dataset.video);
    const seconds = Number(link.dataset.seconds);
    if (!video || !Number.isFinite(seconds)) return;
    event.preventDefault();
    stopAt = null;
    video.currentTime = seconds;
    video.play().catch(() => {});
    return;
  }
  const button = event.target.closest("button[data-set], button[data-nudge], button[data-preview]");
  if (!button) return;
  const form = button.closest("form[data-video]");
  const video = form && document.getElementById(form.dataset.video);
  if (!form || !video) return;
  const field = (name) => form.querySelector(`input[name="${name}"]`);
  if (button.dataset.set) {
    setSeconds(field(button.dataset.set), video.currentTime, video);
  } else if (button.dataset.nudge) {
    const input = field(button.dataset.nudge);
    setSeconds(input, secondsIn(input) + Number(button.dataset.by), video);
    video.currentTime = secondsIn(input);
  } else if (button.dataset.preview === "in") {
    const start = secondsIn(field("in"));
    video.currentTime = start;
    stopAt = start + PREVIEW_SECONDS;
    video.play().catch(() => {});
  } else if (button.dataset.preview === "out") {
    const end = secondsIn(field("out"));
    video.currentTime = Math.max(0, end - PREVIEW_SECONDS);
    stopAt = end;
    video.play().catch(() => {});
  }
});

document.addEventListener("timeupdate", (event) => {
  const video = event.target;
  if (stopAt !== null && video.currentTime >= stopAt) {
    video.pause();
    stopAt = null;
  }
  // The transcript line being said is highlighted while the video plays.
  for (const form of document.querySelectorAll(`form.cues[data-video="${video.id}"]`)) {
    for (const row of form.querySelectorAll("tr.cue[data-start]")) {
      const now = video.currentTime >= Number(row.dataset.start) && video.currentTime < Number(row.dataset.end);
      row.classList.toggle("current", now);
      if (now) row.setAttribute("aria-current", "true"); else row.removeAttribute("aria-current");
    }
  }
}, true);
