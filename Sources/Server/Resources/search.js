// Search in the browser over the files `efterhand publish` writes under /search/ (issue 22):
// the same answer as the server's /api/search, computed here. Each part follows the Swift it
// mirrors, named beside it: TextMatch.fold, SearchPattern (the query's words, phrases,
// prefixes and stop words; snippets; the landing second), efterhand_rank (BM25 over FTS5's own
// token instances, with the column weights) and IndexDatabase.hits (the order of the hits).
// The publish's tests run the golden query table through both and compare.
"use strict";
(function () {
  var LATIN = { "à": "a", "á": "a", "â": "a", "ã": "a", "ä": "a", "å": "a", "æ": "ae", "ç": "c", "è": "e", "é": "e", "ê": "e", "ë": "e",
    "ì": "i", "í": "i", "î": "i", "ï": "i", "ñ": "n", "ò": "o", "ó": "o", "ô": "o", "õ": "o", "ö": "o", "ø": "o", "ù": "u", "ú": "u",
    "û": "u", "ü": "u", "ý": "y", "ÿ": "y", "ß": "ss" };
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  var MARK = /\p{M}/u;

  // TextMatch.fold: lower case, no diacritics; the Latin fast path turns general punctuation
  // (U+2000-U+203F) into spaces, the general path does not.
  function fold(text) {
    var fast = "";
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c < 0x80) { fast += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : text[i]; continue; }
      if (c >= 0x2000 && c <= 0x203F) { fast += " "; continue; }
      var lower = text[i].toLowerCase();
      if (c >= 0xC0 && c <= 0xFF && LATIN[lower] && c !== 0xD7 && c !== 0xF7) { fast += LATIN[lower]; continue; }
      fast = null;
      break;
    }
    if (fast !== null) return fast;
    var out = "";
    Array.from(text.toLowerCase().normalize("NFD")).forEach(function (ch) {
      if (MARK.test(ch)) return;
      out += ch === "ø" ? "o" : ch === "æ" ? "ae" : ch === "ß" ? "ss" : ch === "đ" ? "d" : ch === "ł" ? "l" : ch;
    });
    return out;
  }
  // TextMatch.compact: folded letters and digits only.
  function compact(text) {
    return Array.from(fold(text)).filter(function (ch) { return /[\p{L}\p{M}\p{N}]/u.test(ch); }).join("");
  }

  // SearchPattern.init: words and "quoted phrases", folded; lone stop words dropped when other
  // words are left; the last word of a phrase a prefix when it has four letters or more.
  function pattern(text, stopWords) {
    var phrases = [], words = [], current = "", inQuote = false;
    function flushWord() { if (current) words.push(current); current = ""; }
    function flushPhrase() { flushWord(); if (words.length) phrases.push(words); words = []; }
    function loose() { words.forEach(function (w) { phrases.push([w]); }); words = []; }
    Array.from(text).slice(0, 1000).forEach(function (ch) {
      if (ch === "\"") {
        if (inQuote) flushPhrase(); else { flushWord(); loose(); }
        inQuote = !inQuote;
      } else if ((WORD.test(ch) || MARK.test(ch) && current) && ch !== "\u01C2") {
        current += ch;
      } else {
        flushWord();
        if (!inQuote) loose();
      }
    });
    if (inQuote) flushPhrase(); else { flushWord(); loose(); }
    var folded = phrases.slice(0, 32).map(function (phrase) {
      return phrase.slice(0, 16).map(function (w) { return fold(Array.from(w).slice(0, 64).join("")); });
    }).filter(function (p) { return p.length > 0; });
    var meaningful = folded.filter(function (p) { return p.length > 1 || !stopWords[p[0]]; });
    if (meaningful.length) folded = meaningful;
    if (!folded.length) return null;
    var terms = [];
    folded.forEach(function (phrase) {
      phrase.forEach(function (w, i) { terms.push({ text: w, prefix: i === phrase.length - 1 && Array.from(w).length >= 4 }); });
    });
    return {
      phrases: folded.map(function (p) { return { words: p, prefix: Array.from(p[p.length - 1]).length >= 4 }; }),
      terms: terms,
      exact: [].concat.apply([], phrases).map(function (w) { return w.toLowerCase(); })
    };
  }

  function wordMatches(folded, terms) {
    return terms.some(function (t) { return t.prefix ? folded.indexOf(t.text) === 0 : folded === t.text; });
  }
  // SearchPattern.matches: whether a text holds any term as a word (or a word's beginning).
  function matches(pat, text) {
    var folded = Array.from(fold(text)), word = "";
    for (var i = 0; i <= folded.length; i++) {
      if (i < folded.length && WORD.test(folded[i])) { word += folded[i]; continue; }
      if (word && wordMatches(word, pat.terms)) return true;
      word = "";
    }
    return false;
  }
  // SearchPattern.snippetParts: about 160 characters around the first matched word.
  function snippetParts(pat, text, width) {
    width = width || 160;
    var s = Array.from(text);
    function matchedWords(start, end, first) {
      var found = [], i = start;
      while (i < end) {
        if (!WORD.test(s[i])) { i++; continue; }
        var w = i;
        while (i < s.length && WORD.test(s[i])) i++;
        if (wordMatches(fold(s.slice(w, i).join("")), pat.terms)) {
          found.push([w, i]);
          if (first) break;
        }
      }
      return found;
    }
    var firstMatch = matchedWords(0, s.length, true)[0];
    var first = firstMatch ? firstMatch[0] : 0;
    var from = Math.max(0, first - Math.floor(width / 3));
    var to = Math.min(s.length, from + width);
    if (to === s.length) from = Math.max(0, to - width);
    while (from > 0 && WORD.test(s[from - 1])) from--;
    while (to < s.length && WORD.test(s[to])) to++;
    var matched = firstMatch ? matchedWords(firstMatch[0], to, false) : [];
    var parts = [];
    function add(run, marked) {
      var out = run.map(function (ch) { return ch === "\n" || ch === "\r" ? " " : ch; }).join("");
      if (!out) return;
      var last = parts[parts.length - 1];
      if (!marked && last && !last.marked) last.text += out; else parts.push({ text: out, marked: marked });
    }
    if (from > 0) add(["…"], false);
    var position = from;
    matched.forEach(function (w) {
      if (w[0] < from || w[1] > to) return;
      add(s.slice(position, w[0]), false);
      add(s.slice(w[0], w[1]), true);
      position = w[1];
    });
    add(s.slice(position, to), false);
    if (to < s.length) add(["…"], false);
    return parts;
  }
  function html(parts) {
    return parts.map(function (p) {
      var t = p.text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
      return p.marked ? "<mark>" + t + "</mark>" : t;
    }).join("");
  }
  // SearchPattern.exactBonus: 1.5 when every word appears as typed.
  function exactBonus(pat, text) {
    var lower = text.toLowerCase();
    return pat.exact.every(function (w) { return lower.indexOf(w) >= 0; }) ? 1.5 : 1;
  }
  // Links.seconds: to the millisecond, without trailing zeros.
  function seconds(value) {
    var ms = Math.round(value * 1000), whole = Math.trunc(ms / 1000), fraction = ms % 1000;
    if (!fraction) return String(whole);
    return (whole + "." + String(fraction).padStart(3, "0")).replace(/0+$/, "");
  }
  function normalizeLanguage(code, table) {
    code = (code || "").trim().toLowerCase();
    if (!code || code === "und") return null;
    var base = code.split("-")[0];
    return table[base] || base;
  }

  function gunzipJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json();
    });
  }
  var cache = {};
  function once(url) { if (!cache[url]) cache[url] = gunzipJSON(url); return cache[url]; }
  function hex(text) {
    return Array.from(new TextEncoder().encode(text)).map(function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  // The postings of every term a phrase word stands for: itself, or every term it begins.
  function postings(meta, base, word, prefix) {
    var key = Array.from(word).slice(0, meta.key_length).join("");
    var file = meta.terms[hex(key)];
    if (!file) return Promise.resolve([]);
    return once(base + file).then(function (chunk) {
      if (!prefix) return chunk[word] ? [chunk[word]] : [];
      if (Array.from(word).length < meta.key_length) return [];
      return Object.keys(chunk).filter(function (t) { return t.indexOf(word) === 0; }).map(function (t) { return chunk[t]; });
    });
  }

  // Per row, the weighted count of a phrase's instances (efterhand_rank's frequency): the
  // first word at an offset, the next at the next offset of the same column, and so on.
  function phraseFrequencies(meta, lists) {
    var at = lists.map(function (list) {
      var set = new Set();
      list.forEach(function (flat) { for (var i = 0; i < flat.length; i += 3) set.add(flat[i] + ":" + flat[i + 1] + ":" + flat[i + 2]); });
      return set;
    });
    var frequency = new Map();
    lists[0].forEach(function (flat) {
      for (var i = 0; i < flat.length; i += 3) {
        var row = flat[i], column = flat[i + 1], offset = flat[i + 2], ok = true;
        for (var k = 1; k < at.length && ok; k++) ok = at[k].has(row + ":" + column + ":" + (offset + k));
        if (ok) frequency.set(row, (frequency.get(row) || 0) + meta.weights[column]);
      }
    });
    return frequency;
  }

  function search(meta, base, params) {
    var stop = {};
    meta.stop_words.forEach(function (w) { stop[w] = true; });
    var result = { query: {}, total: 0, hits: [], facets: {} };
    var pat = pattern(params.get("q") || "", stop);
    if (!pat) return Promise.resolve(result);
    var limit = Math.max(1, Math.min(parseInt(params.get("limit") || "20", 10) || 20, 500));
    var filters = { topic: params.get("topic"), day: params.get("day"), speaker: params.get("speaker"), room: params.get("room"),
      language: params.get("language") };
    var hasFilters = Object.keys(filters).some(function (k) { return filters[k]; });
    return Promise.all([once(base + meta.rows)].concat(pat.phrases.map(function (phrase) {
      return Promise.all(phrase.words.map(function (w, i) { return postings(meta, base, w, phrase.prefix && i === phrase.words.length - 1); }));
    }))).then(function (loaded) {
      var table = loaded[0], sessions = table.sessions;
      if (!table.byRowid) table.byRowid = new Map(table.rows.map(function (r) { return [r[0], r]; }));
      var rows = table.byRowid;
      var perPhrase = loaded.slice(1).map(function (lists) { return phraseFrequencies(meta, lists); });
      // Rows holding every phrase, the first ranking_limit in index order, ranked.
      var matching = Array.from(perPhrase[0].keys()).filter(function (row) {
        return perPhrase.every(function (f) { return f.has(row); });
      }).sort(function (a, b) { return a - b; }).slice(0, meta.ranking_limit);
      var ranked = matching.map(function (row) {
        var length = rows.get(row)[7], score = 0;
        perPhrase.forEach(function (f) {
          var n = f.get(row);
          score += (n * (meta.k1 + 1)) / (n + meta.k1 * (1 - meta.b + meta.b * length / meta.average_length));
        });
        return { row: row, rank: -score };
      }).sort(function (a, b) { return a.rank - b.rank || a.row - b.row; });
      var candidates = hasFilters ? ranked : ranked.slice(0, limit * 2);
      var files = Array.from(new Set(candidates.map(function (c) { return meta.docs[String(Math.floor(c.row / meta.docs_per_file))]; })));
      return Promise.all(files.map(function (f) { return once(base + f); })).then(function (chunks) {
        var docs = {};
        files.forEach(function (f, i) { docs[f] = chunks[i]; });
        function doc(rowid) { return docs[meta.docs[String(Math.floor(rowid / meta.docs_per_file))]][String(rowid)]; }
        var seen = new Set(), hits = [];
        candidates.forEach(function (c) {
          var row = rows.get(c.row), session = sessions[row[2]];
          if (seen.has(row[3])) return;
          seen.add(row[3]);
          if (filters.topic && session[4].indexOf(fold(filters.topic)) < 0) return;
          if (filters.speaker && !session[5].some(function (p) { return p.indexOf(fold(filters.speaker)) >= 0; })) return;
          if (filters.room && compact(filters.room) && session[6] !== compact(filters.room)) return;
          var language = normalizeLanguage(filters.language, meta.languages || {});
          if (language && normalizeLanguage(session[7], meta.languages || {}) !== language) return;
          if (filters.day && session[3] !== filters.day) return;
          var texts = doc(c.row)[0], matched = null;
          for (var i = 0; i < texts.length && !matched; i++) if (texts[i] && matches(pat, texts[i])) matched = texts[i];
          if (matched === null) matched = texts.filter(function (t) { return t; })[0] || "";
          var score = Math.round(-c.rank * exactBonus(pat, matched) * 1000) / 1000;
          hits.push({ row: c.row, text: matched, score: score, start: session[2] });
        });
        hits.sort(function (a, b) {
          var x = rows.get(a.row), y = rows.get(b.row);
          return b.score - a.score || b.start - a.start || y[1] - x[1] || x[4] - y[4];
        });
        result.hits = hits.slice(0, limit).map(function (h) {
          var row = rows.get(h.row), session = sessions[row[2]], cues = doc(h.row)[1], at = row[4];
          for (var i = 0; i < cues.length; i++) if (matches(pat, cues[i][1])) { at = cues[i][0]; break; }
          var parts = snippetParts(pat, h.text);
          var hit = { recording_id: row[1], session_guid: session[0], session_title: session[1], segment_title: row[6],
            start_seconds: row[4], end_seconds: row[5], at_seconds: at, snippet: html(parts), snippet_parts: parts, score: h.score,
            url: row[9] + "#t=" + seconds(at) + "," + seconds(row[5]),
            watch_url: session[8] + "?t=" + Math.max(0, Math.floor(at - row[8])), session_api: session[9] };
          // As the API: no key for a segment without a picture.
          if (row[10] !== null) hit.thumbnail = row[10];
          return hit;
        });
        result.total = result.hits.length;
        return result;
      });
    });
  }

  window.efterhandStaticSearch = { search: search, fold: fold, pattern: pattern };
})();
