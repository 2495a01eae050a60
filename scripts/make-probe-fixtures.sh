#!/usr/bin/env bash
# Makes the small media fixtures that Tests/MediaProbeTests reads, with real ffmpeg.
# The outputs are committed (under 2 MB in all); run this again only to change them.
set -euo pipefail
out=${1:-Tests/MediaProbeTests/Fixtures}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

video=(-f lavfi -i "testsrc2=size=160x90:rate=10")
audio=(-f lavfi -i "sine=frequency=440:sample_rate=22050")
x264=(-c:v libx264 -preset veryfast -crf 40 -g 50 -pix_fmt yuv420p)

# Subtitle streams of each text codec, for the subtitle reader: Swedish text with å, ä, ö,
# two-line cues, markup the decoder must strip, two languages in one file. Video only, to stay small.
# They are made last; make only them with: scripts/make-probe-fixtures.sh OUT subtitles
subtitle_fixtures() {
cat > "$tmp/sv.srt" <<'SRT'
1
00:00:01,000 --> 00:00:03,500
Välkommen till <i>Innovationsveckan</i>.

2
00:00:04,000 --> 00:00:07,000
Här pratar vi om öppna data
och hur andra kan använda dem.
SRT
cat > "$tmp/en.srt" <<'SRT'
1
00:00:01,500 --> 00:00:03,000
Welcome to Innovation Week.

2
00:00:05,250 --> 00:00:06,750
Open data & what others do with it.
SRT
ff "${video[@]}" -i "$tmp/sv.srt" -i "$tmp/en.srt" -map 0:v -map 1:s -map 2:s -t 8 "${x264[@]}" \
  -c:s srt -metadata:s:s:0 language=swe -metadata:s:s:0 title="Svenska" \
  -metadata:s:s:1 language=eng "$out/subrip.mkv"

cat > "$tmp/sv.vtt" <<'VTT'
WEBVTT

NOTE Swedish captions for the fixture.

intro
00:00:01.000 --> 00:00:03.500 align:start
<v Anna Svensson>Välkommen till Innovationsveckan.

00:00:04.000 --> 00:00:07.000
Här pratar vi om <b>öppna data</b>
och hur andra &amp; vi kan använda dem.
VTT
# Copied, not re-encoded: libavcodec's WebVTT decoder drops the voice tag the packets should keep.
ff "${video[@]}" -i "$tmp/sv.vtt" -map 0:v -map 1:s -t 8 -c:v libvpx -b:v 30k -deadline realtime \
  -c:s copy -metadata:s:s:0 language=swe "$out/webvtt.webm"

cat > "$tmp/sv.ass" <<'ASS'
[Script Info]
ScriptType: v4.00+
PlayResX: 160
PlayResY: 90

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,16,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:03.50,Default,Anna,0,0,0,,{\i1}Välkommen{\i0} till Innovationsveckan, alla.
Dialogue: 0,0:00:04.00,0:00:07.00,Default,,0,0,0,,Här pratar vi om öppna data\Noch hur andra kan använda dem.
ASS
ff "${video[@]}" -i "$tmp/sv.ass" -map 0:v -map 1:s -t 8 "${x264[@]}" -c:s ass -metadata:s:s:0 language=swe "$out/ass.mkv"
}

if [ "${2:-}" = subtitles ]; then
  subtitle_fixtures
  ls -l "$out"
  du -ch "$out" | tail -1
  exit 0
fi

# Chapters in FFmpeg's metadata format: three chapters over 12 s, Swedish titles.
cat > "$tmp/chapters.txt" <<'META'
;FFMETADATA1
title=Öppna data
comment=Innovationsveckan 2021
TIMEBASE=1/1000
[CHAPTER]
TIMEBASE=1/1000
START=0
END=4000
title=Inledning
[CHAPTER]
TIMEBASE=1/1000
START=4000
END=8000
title=Vad är öppna data?
[CHAPTER]
TIMEBASE=1/1000
START=8000
END=12000
title=Frågor och svar
META

ff "${video[@]}" "${audio[@]}" -i "$tmp/chapters.txt" -map 0:v -map 1:a -map_metadata 2 -map_chapters 2 \
  -t 12 "${x264[@]}" -c:a aac -b:a 24k -metadata creation_time=2021-10-06T11:00:00Z \
  -movflags +faststart "$out/faststart.mp4"
ff "${video[@]}" "${audio[@]}" -i "$tmp/chapters.txt" -map 0:v -map 1:a -map_metadata 2 -map_chapters 2 \
  -t 12 "${x264[@]}" -c:a aac -b:a 24k "$out/moov-at-end.mp4"

cat > "$tmp/mkv.txt" <<'META'
;FFMETADATA1
title=Göteborg – Sveriges innovationsmotor
artist=Business Region Göteborg
[CHAPTER]
TIMEBASE=1/1000
START=0
END=3500
title=Hoppet
[CHAPTER]
TIMEBASE=1/1000
START=3500
END=7000
title=Gothenburg Green City Zone
[CHAPTER]
TIMEBASE=1/1000
START=7000
END=10000
title=Testbädden Electricity
META
ff "${video[@]}" "${audio[@]}" -i "$tmp/mkv.txt" -map 0:v -map 1:a -map_metadata 2 -map_chapters 2 \
  -t 10 "${x264[@]}" -c:a libopus -b:a 16k -metadata:s:a:0 language=swe "$out/talk.mkv"

# A browser's MediaRecorder writes WebM without a duration, as the muxer's live mode does.
ff "${video[@]}" "${audio[@]}" -t 8 -c:v libvpx -b:v 50k -deadline realtime -c:a libopus -b:a 16k \
  -live 1 -f webm - | cat > "$out/live.webm"

# Audio only, with chapters and a cover picture.
ff -f lavfi -i "testsrc2=size=64x64:rate=1" -frames:v 1 "$tmp/cover.png"
ff "${audio[@]}" -i "$tmp/cover.png" -i "$tmp/chapters.txt" -map 0:a -map 1:v -map_metadata 2 -map_chapters 2 \
  -t 12 -c:a aac -b:a 24k -c:v png -disposition:v:0 attached_pic "$out/chapters.m4a"

# MP3 with ID3v2 chapters (CHAP frames).
ff "${audio[@]}" -i "$tmp/chapters.txt" -map 0:a -map_metadata 1 -map_chapters 1 -t 12 \
  -c:a libmp3lame -b:a 32k -id3v2_version 3 "$out/id3-chapters.mp3"

# MPEG-TS as OBS writes it: no duration in the container.
ff "${video[@]}" "${audio[@]}" -t 9 "${x264[@]}" -c:a aac -b:a 24k -f mpegts "$out/obs.ts"

# MP4 with Swedish mov_text subtitles.
cat > "$tmp/subs.srt" <<'SRT'
1
00:00:01,000 --> 00:00:03,500
Välkommen till Innovationsveckan.

2
00:00:04,000 --> 00:00:07,000
Här pratar vi om öppna data
och hur andra kan använda dem.
SRT
ff "${video[@]}" "${audio[@]}" -i "$tmp/subs.srt" -map 0:v -map 1:a -map 2:s -t 8 "${x264[@]}" \
  -c:a aac -b:a 24k -c:s mov_text -metadata:s:s:0 language=swe \
  "$out/subtitles.mp4"

# CJK and Swedish titles in Matroska.
cat > "$tmp/cjk.txt" <<'META'
;FFMETADATA1
title=イノベーション週間 – Innovationsveckan
[CHAPTER]
TIMEBASE=1/1000
START=0
END=3000
title=開会の挨拶
[CHAPTER]
TIMEBASE=1/1000
START=3000
END=6000
title=创新与开放数据
META
ff "${video[@]}" -i "$tmp/cjk.txt" -map 0:v -map_metadata 1 -map_chapters 1 -t 6 "${x264[@]}" "$out/cjk.mkv"

# Chapters as careless tools write them: zero length, overlapping.
cat > "$tmp/odd.txt" <<'META'
;FFMETADATA1
[CHAPTER]
TIMEBASE=1/1000
START=0
END=0
title=Noll längd
[CHAPTER]
TIMEBASE=1/1000
START=1000
END=5000
title=Överlappar
[CHAPTER]
TIMEBASE=1/1000
START=4000
END=60000
title=Efter slutet
META
ff "${video[@]}" -i "$tmp/odd.txt" -map 0:v -map_chapters 1 -t 6 "${x264[@]}" "$out/odd-chapters.mkv"

# FFmpeg will not write a chapter that ends before it starts, and Matroska's muxer clips chapters
# to the file's end, so write ID3v2 CHAP frames by hand in front of a real MP3 stream: one that
# overlaps, one of zero length, one past the end, one that ends before it starts.
ff -f lavfi -i "sine=frequency=440:sample_rate=22050" -t 4 -c:a libmp3lame -b:a 32k -write_xing 0 \
  -id3v2_version 0 -f mp3 "$tmp/plain.mp3"
python3 - "$tmp/plain.mp3" "$out/odd-chapters.mp3" <<'PY'
import struct, sys
def frame(fid, body):
    return fid.encode() + struct.pack(">I", len(body)) + b"\0\0" + body
def chap(eid, start, end, title):
    tit2 = frame("TIT2", b"\x03" + title.encode("utf-8") + b"\0")
    return frame("CHAP", eid + b"\0" + struct.pack(">IIII", start, end, 0xFFFFFFFF, 0xFFFFFFFF) + tit2)
frames = (chap(b"c0", 0, 2000, "Början") + chap(b"c1", 1000, 3000, "Överlappar")
          + chap(b"c2", 2500, 2500, "Noll längd") + chap(b"c3", 3000, 60000, "Efter slutet")
          + chap(b"c4", 3500, 2000, "Slutar före start"))
size = len(frames)
synchsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
open(sys.argv[2], "wb").write(b"ID3\x03\x00\x00" + synchsafe + frames + open(sys.argv[1], "rb").read())
PY

# Thousands of chapters.
{
  echo ";FFMETADATA1"
  for i in $(seq 0 2999); do
    printf '[CHAPTER]\nTIMEBASE=1/1000\nSTART=%d\nEND=%d\ntitle=Kapitel %d\n' $((i * 2)) $((i * 2 + 2)) "$i"
  done
} > "$tmp/many.txt"
ff "${video[@]}" -i "$tmp/many.txt" -map 0:v -map_chapters 1 -t 6 "${x264[@]}" "$out/many-chapters.mkv"

# A tag that is not UTF-8 (Latin-1 bytes), as old tools write them.
ff "${video[@]}" -t 2 "${x264[@]}" -metadata title=$'Sm\xe5 \xf6ar' "$out/latin1-tag.mkv"

# A Matroska file named .mp4: libavformat must go by content, not by name.
cp "$out/cjk.mkv" "$out/mislabelled.mp4"

subtitle_fixtures

ls -l "$out"
du -ch "$out" | tail -1
