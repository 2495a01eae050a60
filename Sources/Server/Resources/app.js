"use strict";
(function () {
  var dataEl = document.getElementById("page-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : {};
  var text = data.text || {};
  var LATER_KEY = "efterhand.watchLater";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); });
    return node;
  }
  function timecode(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  // The API's snippet_parts: runs of text, the matched ones in <mark>; text nodes only, so
  // nothing in a transcript is ever parsed as HTML (and "&" shows as "&").
  function snippetNode(parts) {
    var p = el("p", { "class": "snippet" });
    (parts || []).forEach(function (part) {
      var text = String(part.text || "");
      if (text) p.appendChild(part.marked ? el("mark", { text: text }) : document.createTextNode(text));
    });
    return p;
  }
  function status(message) {
    var node = document.getElementById("status");
    if (node) node.textContent = message;
  }

  // ---- Watch later (localStorage) ----
  function loadLater() {
    try { return JSON.parse(localStorage.getItem(LATER_KEY) || "[]"); } catch (e) { return []; }
  }
  function storeLater(items) { localStorage.setItem(LATER_KEY, JSON.stringify(items)); renderLater(); }
  function addLater(item) {
    var items = loadLater().filter(function (x) { return !(x.guid === item.guid && x.t === item.t); });
    items.unshift(item);
    storeLater(items);
    status(text.saved || "Saved.");
  }
  function renderLater() {
    var list = document.getElementById("later");
    if (!list) return;
    var items = loadLater();
    list.textContent = "";
    document.getElementById("later-empty").hidden = items.length > 0;
    items.forEach(function (item, index) {
      var link = el("a", { href: item.watch + "?t=" + Math.floor(item.t) }, [item.title]);
      var what = el("span", { "class": "what" }, [link, " · ", el("time", { text: timecode(item.t) }),
        item.segment ? " · " + item.segment : ""]);
      var remove = el("button", { type: "button", "class": "secondary remove" }, [text.remove || "Remove"]);
      remove.setAttribute("aria-label", (text.remove || "Remove") + ": " + item.title + " " + timecode(item.t));
      remove.addEventListener("click", function () {
        var rest = loadLater();
        rest.splice(index, 1);
        storeLater(rest);
        status(text.removed || "Removed.");
        var next = list.querySelector("button.remove");
        (next || document.getElementById("later-h")).focus();
      });
      list.appendChild(el("li", { "data-guid": item.guid, "data-t": String(item.t) }, [what, remove]));
    });
  }

  // ---- Chapters: highlight the one that is playing ----
  function highlight(video, list) {
    if (!video || !list) return;
    var now = video.currentTime + 0.05, current = null;
    Array.prototype.forEach.call(list.children, function (li) {
      if (parseFloat(li.getAttribute("data-start")) <= now) current = li;
    });
    Array.prototype.forEach.call(list.children, function (li) {
      var target = li.querySelector("a, button");
      if (li === current) target.setAttribute("aria-current", "true");
      else target.removeAttribute("aria-current");
    });
  }
  function seek(video, seconds, play) {
    var go = function () {
      video.currentTime = seconds;
      if (play) { var p = video.play(); if (p && p.catch) p.catch(function () {}); }
    };
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
  }

  // ---- The lookup page (/) ----
  var form = document.getElementById("search");
  var video = document.getElementById("video");
  var chapters = document.getElementById("chapters");
  if (form) {
    var hitsList = document.getElementById("hits");
    var current = null;
    var recordingLoaded = null;
    var search = function () {
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (key) { if (!params.get(key)) params.delete(key); });
      history.replaceState(null, "", "/?" + params.toString());
      if (!params.get("q")) { hitsList.textContent = ""; status(""); return; }
      status(text.searching);
      params.set("limit", "30");
      runSearch(params).then(renderHits).catch(function () { status(text.error); });
    };
    // Where searches go: a static publish has /search/meta.json, which names its search files
    // (search.js answers from them, in the browser) or a server to ask; efterhand serve has
    // none, and answers /api/search itself. Asked once per page.
    var searchMode = null;
    var runSearch = function (params) {
      if (!searchMode) {
        searchMode = fetch("/search/meta.json", { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
      }
      return searchMode.then(function (meta) {
        if (meta && meta.version && !meta.api && window.efterhandStaticSearch) return window.efterhandStaticSearch.search(meta, "/search/", params);
        return fetch(((meta && meta.api) || "/api/search") + "?" + params.toString(), { headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
      });
    };
    var renderHits = function (result) {
      hitsList.textContent = "";
      var hits = result.hits || [];
      status(hits.length === 0 ? text.none : hits.length === 1 ? text.hit : text.hits.replace("%d", hits.length));
      hits.forEach(function (hit) {
        var session = (data.sessions || {})[hit.session_guid] || {};
        var play = el("button", { type: "button", "class": "play" }, [hit.segment_title || hit.session_title]);
        play.setAttribute("aria-label", (text.play || "Play from") + " " + timecode(hit.at_seconds) + ": " + (hit.segment_title || "") + " – " + hit.session_title);
        play.addEventListener("click", function () { playHit(hit, session); });
        var image = hit.thumbnail ? el("img", { src: hit.thumbnail, alt: "", width: "160", height: "90", loading: "lazy" }) : null;
        var body = el("div", {}, [
          el("h3", {}, [play]),
          el("p", { "class": "meta" }, [el("a", { href: hit.watch_url }, [hit.session_title]),
            session.persons && session.persons.length ? " · " + session.persons.join(", ") : ""]),
          el("p", { "class": "meta" }, [el("time", { text: timecode(hit.at_seconds) }), " – ", el("time", { text: timecode(hit.end_seconds) })]),
          snippetNode(hit.snippet_parts)
        ]);
        hitsList.appendChild(el("li", { "class": "card", "data-start": String(hit.start_seconds), "data-at": String(hit.at_seconds),
          "data-recording": String(hit.recording_id) }, [image, body]));
      });
    };
    var loadRecording = function (hit) {
      if (recordingLoaded === hit.recording_id) return;
      recordingLoaded = hit.recording_id;
      video.textContent = "";
      var base = hit.url.split("#")[0];
      video.src = base + "#t=" + hit.at_seconds;
      var api = "/api/recordings/" + hit.recording_id;
      chapters.textContent = "";
      fetch(api + "/chapters.json").then(function (r) { return r.ok ? r.json() : { chapters: [] }; }).then(function (doc) {
        (doc.chapters || []).forEach(function (chapter) {
          var b = el("button", { type: "button" }, [el("time", { text: timecode(chapter.startTime) }), " " + (chapter.title || "")]);
          b.addEventListener("click", function () { seek(video, chapter.startTime, true); });
          chapters.appendChild(el("li", { "data-start": String(chapter.startTime) }, [b]));
        });
        highlight(video, chapters);
      });
      fetch(api).then(function (r) { return r.ok ? r.json() : {}; }).then(function (doc) {
        (doc.transcript_languages || []).filter(function (x) { return x && x !== "und"; }).forEach(function (code, i) {
          // A captions track only where the transcript has text (not just empty stubs).
          fetch(api + "/transcript.json?language=" + encodeURIComponent(code)).then(function (r) { return r.ok ? r.json() : {}; }).then(function (t) {
            if (recordingLoaded !== hit.recording_id || !(t.segments || []).some(function (c) { return c.body; })) return;
            var track = el("track", { kind: "captions", srclang: code, label: (text.captions || "Captions") + " (" + code + ")",
            src: api + "/transcript.vtt?language=" + encodeURIComponent(code) });
            if (i === 0) track.setAttribute("default", "");
            video.appendChild(track);
          });
        });
      }).catch(function () {});
    };
    var playHit = function (hit, session) {
      current = { guid: hit.session_guid, title: hit.session_title, segment: hit.segment_title, watch: session.watch || hit.watch_url.split("?")[0],
        recording: hit.recording_id, start: hit.at_seconds, offset: hit.at_seconds - parseFloat((hit.watch_url.split("t=")[1] || "0")) };
      document.getElementById("player").hidden = false;
      document.getElementById("now-playing").textContent = (text.nowPlaying || "") + ": " + hit.session_title + " – " + (hit.segment_title || "") + " (" + timecode(hit.at_seconds) + ")";
      loadRecording(hit);
      seek(video, hit.at_seconds, true);
      highlight(video, chapters);
      video.focus();
    };
    form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
    ["day", "room", "language"].forEach(function (id) {
      document.getElementById(id).addEventListener("change", function () { if (document.getElementById("q").value) search(); });
    });
    document.getElementById("save").addEventListener("click", function () {
      if (!current) return;
      var offset = isFinite(current.offset) ? current.offset : 0;
      addLater({ guid: current.guid, title: current.title, segment: current.segment, watch: current.watch,
        recording: current.recording, t: Math.max(0, Math.floor(video.currentTime - offset)) });
    });
    if (new URLSearchParams(location.search).get("q")) search();
    renderLater();
  }

  // ---- The watch page (/sessions/{slug}) ----
  var transcript = document.getElementById("transcript");
  if (!form && video) {
    var offset = parseFloat(video.getAttribute("data-offset") || "0");
    var start = parseFloat(video.getAttribute("data-start") || "0");
    // A page that was not rendered for its ?t= (a static publish, whose host ignores queries)
    // takes it, or #t=, from its address.
    var asked = new URLSearchParams(location.search).get("t") || (location.hash.match(/t=([0-9.]+)/) || [])[1];
    if (!start && asked && isFinite(parseFloat(asked))) start = Math.max(0, parseFloat(asked));
    seek(video, offset + start, false);
    Array.prototype.forEach.call(document.querySelectorAll("#chapters a.seek"), function (a) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        seek(video, parseFloat(a.getAttribute("data-seconds")), true);
        history.replaceState(null, "", a.getAttribute("href"));
      });
    });
    var save = document.getElementById("save");
    save.addEventListener("click", function () {
      addLater({ guid: save.getAttribute("data-guid"), title: save.getAttribute("data-title"), segment: "",
        watch: save.getAttribute("data-watch"), t: Math.max(0, Math.floor(video.currentTime - offset)) });
    });
    if (transcript && transcript.getAttribute("data-src")) {
      var end = parseFloat(transcript.getAttribute("data-end") || "Infinity");
      fetch(transcript.getAttribute("data-src")).then(function (r) { return r.ok ? r.json() : { segments: [] }; }).then(function (doc) {
        (doc.segments || []).forEach(function (cue) {
          if (!cue.body || cue.startTime < offset - 0.5 || cue.startTime > end) return;
          var b = el("button", { type: "button" }, [el("time", { text: timecode(cue.startTime - offset) }), cue.body]);
          b.addEventListener("click", function () { seek(video, cue.startTime, true); });
          // A speech engine's draft that no person has checked is shown as such (site.css).
          var item = { "data-start": String(cue.startTime) };
          if (cue.machineGenerated) item["class"] = "machine";
          transcript.appendChild(el("li", item, [b]));
        });
        document.getElementById("transcript-empty").hidden = transcript.children.length > 0;
        highlight(video, transcript);
      }).catch(function () {});
    }
  }
  if (video) {
    ["timeupdate", "seeked", "loadedmetadata"].forEach(function (name) {
      video.addEventListener(name, function () { highlight(video, chapters); if (transcript) highlight(video, transcript); });
    });
  }
})();