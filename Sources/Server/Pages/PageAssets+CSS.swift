// The stylesheet of the web pages, served at /assets/site.css.
extension PageAssets {
    static let css = #"""
/* efterhand web pages: plain CSS, phone first, visible focus, AA contrast. */
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1b1b1b; background: #fff; }
body { margin: 0; }
a { color: #0b4a8f; }
a:hover { color: #06315f; }
:focus-visible { outline: 3px solid #b3006b; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.site { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem 1rem; padding: .75rem 1rem; background: #0b3d6e; color: #fff; }
header.site a { color: #fff; }
header.site .brand { margin: 0; font-weight: 700; font-size: 1.1rem; }
header.site ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header.site a[aria-current="page"] { text-decoration-thickness: 3px; font-weight: 700; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
.lead { font-size: 1.05rem; color: #333; }
.meta { color: #444; margin: .25rem 0; }
.search { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; padding: .75rem; background: #f1f4f8; border-radius: 6px; }
.field { display: flex; flex-direction: column; gap: .25rem; }
.field.grow { flex: 1 1 16rem; }
label { font-weight: 600; }
input, select, button { font: inherit; padding: .45rem .6rem; border: 1px solid #5a6470; border-radius: 4px; background: #fff; color: #1b1b1b; min-height: 2.5rem; }
button { background: #0b4a8f; color: #fff; border-color: #0b4a8f; cursor: pointer; }
button:hover { background: #06315f; }
button.secondary { background: #fff; color: #0b4a8f; }
.chips { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: 0; }
.chip { display: inline-block; padding: .3rem .75rem; border: 1px solid #0b4a8f; border-radius: 999px; text-decoration: none; min-height: 2rem; }
.chip[aria-current="true"] { background: #0b4a8f; color: #fff; }
.count { color: inherit; }
.layout { display: grid; grid-template-columns: 1fr; gap: 1rem; }
@media (min-width: 60rem) { .layout { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); } }
.hits, .sessions, .later-list, .slots { list-style: none; padding: 0; margin: 0; }
.card { display: flex; gap: .75rem; padding: .75rem 0; border-bottom: 1px solid #d4d9df; }
.card img { flex: none; width: 160px; height: 90px; object-fit: cover; background: #ccc; border-radius: 4px; }
@media (max-width: 30rem) { .card { flex-direction: column; } .card img { width: 100%; height: auto; aspect-ratio: 16/9; } }
.card .play { background: none; border: none; color: #0b4a8f; padding: 0; min-height: 0; text-align: left; text-decoration: underline; font-weight: 700; font-size: 1.05rem; }
.card .play:hover { color: #06315f; }
.snippet { margin: .25rem 0; }
mark { background: #ffe680; color: #1b1b1b; padding: 0 .1em; }
video { width: 100%; max-height: 70vh; background: #000; border-radius: 4px; }
.player { position: relative; }
.now { font-weight: 600; }
.chapters { padding-left: 0; list-style: none; margin: 0; }
.chapters li { border-left: 4px solid transparent; }
.chapters a, .chapters button { display: flex; gap: .5rem; align-items: center; width: 100%; padding: .35rem .5rem; background: none; border: none; color: #0b4a8f; text-align: left; min-height: 2.5rem; }
.chapters img { width: 96px; height: 54px; object-fit: cover; border-radius: 3px; flex: none; }
.chapters [aria-current="true"] { background: #e3edf8; border-left: 4px solid #0b4a8f; font-weight: 700; color: #06315f; }
.later-list li { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; padding: .5rem 0; border-bottom: 1px solid #d4d9df; }
.later-list .what { flex: 1 1 14rem; }
.transcript ol { list-style: none; padding: 0; max-height: 24rem; overflow-y: auto; border: 1px solid #d4d9df; border-radius: 4px; }
.transcript button { display: block; width: 100%; text-align: left; background: none; color: #1b1b1b; border: none; border-bottom: 1px solid #eef1f4; border-radius: 0; }
.transcript button:hover, .transcript button[aria-current="true"] { background: #e3edf8; }
.transcript time { color: #0b4a8f; font-variant-numeric: tabular-nums; margin-right: .5rem; }
.abstract { white-space: pre-line; }
.counts { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
.table-wrap { overflow-x: auto; }
.grid { border-collapse: collapse; min-width: 40rem; width: 100%; }
.grid th, .grid td { border: 1px solid #c3cad2; padding: .4rem; vertical-align: top; text-align: left; }
.grid thead th { background: #f1f4f8; }
.slot { display: flex; gap: .4rem; margin-bottom: .5rem; font-size: .95rem; }
.slot img { width: 120px; height: 68px; object-fit: cover; border-radius: 3px; }
.state { display: inline-block; font-size: .8rem; padding: 0 .4rem; border-radius: 3px; border: 1px solid; }
.state.published { color: #0d5a1f; background: #e6f4ea; }
.state.review { color: #6b4400; background: #fff3d6; }
.state.missing { color: #444; background: #eee; }
.state.optedOut { color: #8a1020; background: #fde8ea; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
"""#
}
