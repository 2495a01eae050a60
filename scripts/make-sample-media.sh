#!/usr/bin/env bash
# Makes the sample recordings of the sample week in Media/ with real ffmpeg: tiny picture,
# silent sound, real durations. Each one exercises a different signal the linker reads (see
# Media/README.md). Three of them (1, 3 and 8) say a few Swedish sentences in espeak-ng's voice
# at known seconds inside their talk, so speech-to-text has something to find that the
# programme does not say. The outputs are committed (under 6 MB in all); run again only to
# change them. Needs ffmpeg and espeak-ng.
set -euo pipefail
out=${1:-Media}
mkdir -p "$out/sal-a" "$out/brg-studion" "$out/yesbox"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

# picture COLOUR SECONDS: a still colour card at 1 frame/s with a running clock.
picture() {
  echo -f lavfi -i "color=c=$1:size=160x90:rate=1,drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf:text='%{pts\\:hms}':fontcolor=white:fontsize=14:x=6:y=6"
}
silence=(-f lavfi -i "anullsrc=r=8000:cl=mono")
h264=(-c:v libx264 -preset veryfast -crf 45 -g 300 -pix_fmt yuv420p)
aac=(-c:a aac -b:a 6k)
# Where something is said, 16 kHz: 8 kHz at 6 kbit/s is too poor for speech-to-text. Silence
# still costs almost nothing.
speech_aac=(-c:a aac -b:a 24k -ar 16000 -ac 1)

# speech NAME SECONDS "START|TEXT"...: $tmp/NAME.wav, SECONDS long at 16 kHz mono, silent but
# for each TEXT said by espeak-ng's Swedish voice, slowly, beginning exactly at START seconds.
speech() {
  local name=$1 seconds=$2; shift 2
  local inputs=(-f lavfi -t "$seconds" -i "anullsrc=r=16000:cl=mono") graph="" mix="[0]" n=1 row
  for row in "$@"; do
    espeak-ng -v sv -s 120 -w "$tmp/$name-$n.wav" "${row#*|}"
    inputs+=(-i "$tmp/$name-$n.wav")
    graph+="[$n]aresample=16000,adelay=$(( ${row%%|*} * 1000 )):all=1[s$n];"
    mix+="[s$n]"
    n=$((n + 1))
  done
  ff "${inputs[@]}" -filter_complex "${graph}${mix}amix=inputs=$n:normalize=0:duration=first" \
    -ac 1 -ar 16000 -c:a pcm_s16le "$tmp/$name.wav"
}

# What is said, at which second of the file. Words chosen so Whisper base hears at least one
# distinctive word of each sentence right; none of them is in the programme. Kept in step with
# the table in Media/README.md.
# efterhand sends a talk to the engine in 30-minute windows, and faster-whisper's VAD glues
# a window's stretches of speech together: a segment that starts at the end of one stretch
# is given that stretch's time (and ends in the next one), so a second stretch in the same
# window can come back hundreds of seconds early. So each window of a talk holds one
# stretch: two sentences about a second apart (one stretch for the VAD), then one sentence
# in the second window. All inside the linked talk, away from the windows' edges.
gorel_said=(
  "300|Vi spelar fotboll i parken varje söndag."
  "305|Polisen kommer till skolan i november."
  "2500|Mamma köper mjölk i affären."
)
lagsport_said=(
  "200|Det regnar mycket i Malmö."
  "204|Vi lyssnar på musik i bilen."
  "2400|Flygplanet landar i London klockan tio."
)
jsp_said=(
  "400|Hon pratar i telefon varje dag."
  "405|Vi planterar träd i skogen."
  "2600|Barnen sjunger en sång om vintern."
)

# chapters FILE "START END TITLE"...: FFmpeg metadata with chapters in seconds.
chapters() {
  local file=$1; shift
  echo ";FFMETADATA1" > "$file"
  for row in "$@"; do
    read -r start end title <<< "$row"
    printf '[CHAPTER]\nTIMEBASE=1/1\nSTART=%s\nEND=%s\ntitle=%s\n' "$start" "$end" "$title" >> "$file"
  done
}

# 1. Görel (Mon 13:00-13:45): only the session guid, in the comment tag. Starts 12:58.
#    Speech (gorel_said) at 300, 305 and 2500 s: the talk is 120-2820 s of the file.
chapters "$tmp/gorel.txt" "0 120 Innan start" "120 900 Vem är Görel?" "900 2400 Automatisering i praktiken" "2400 2850 Frågor"
speech gorel 2850 "${gorel_said[@]}"
ff $(picture 0x1f4e79) -i "$tmp/gorel.wav" -i "$tmp/gorel.txt" -map 0:v -map 1:a -map_chapters 2 -t 2850 \
  "${h264[@]}" "${speech_aac[@]}" -metadata comment="Innovationsveckan 2021, session 7f3c2a10-0000-4000-8000-000000000101" \
  -movflags +faststart "$out/inspelning-01.mp4"

# 2. The city's innovation programme (Tue 10:00-10:45), recorded in two parts after a stream
#    failure: 09:59-10:11 and 10:13:30-10:46. Times in creation_time (UTC).
ff $(picture 0x2e7d32) "${silence[@]}" -t 720 "${h264[@]}" "${aac[@]}" \
  -metadata creation_time=2021-10-05T07:59:00Z -metadata title="Innovationsprogrammet (del 1)" \
  "$out/innovationsprogram-del1.mp4"
ff $(picture 0x2e7d32) "${silence[@]}" -t 1950 "${h264[@]}" "${aac[@]}" \
  -metadata creation_time=2021-10-05T08:13:30Z -metadata title="Innovationsprogrammet (del 2)" \
  "$out/innovationsprogram-del2.mp4"

# 3. Innovation as a team sport (Tue 13:00-13:45): OBS's file name and a room folder, no tags.
#    Speech (lagsport_said) at 200, 204 and 2400 s: the talk is 80-2780 s of the file.
speech lagsport 2880 "${lagsport_said[@]}"
ff $(picture 0x6a1b9a) -i "$tmp/lagsport.wav" -map 0:v -map 1:a -t 2880 "${h264[@]}" "${speech_aac[@]}" -f matroska \
  "$out/sal-a/2021-10-05 12-58-40.mkv"

# 4. Summer workers (Wed 09:30-10:15): creation_time and Swedish mov_text subtitles.
cat > "$tmp/sommar.srt" <<'SRT'
1
00:02:05,000 --> 00:02:09,500
Välkomna! I dag berättar vi om sommarjobbarna.

2
00:05:00,000 --> 00:05:06,000
De fick en utmaning inom hållbarhet
och arbetade med användardriven innovation.

3
00:20:00,000 --> 00:20:05,000
Användarna var med från första dagen.

4
00:40:10,000 --> 00:40:14,000
Tack för att ni lyssnade, nu tar vi frågor.
SRT
ff $(picture 0xef6c00) "${silence[@]}" -i "$tmp/sommar.srt" -map 0:v -map 1:a -map 2:s -t 2940 \
  "${h264[@]}" "${aac[@]}" -c:s mov_text -metadata:s:s:0 language=swe \
  -metadata creation_time=2021-10-06T07:28:00Z "$out/sommarjobbare.mp4"

# 5. Open data (Wed 13:00-13:45): a title tag and nothing else; a WebVTT sidecar beside it.
ff $(picture 0x00838f) "${silence[@]}" -t 2700 -c:v libvpx -b:v 20k -g 300 \
  -c:a libopus -b:a 6k -frame_duration 120 -application voip \
  -metadata title="Öppna data – vad är det och vad kan du göra med den?" "$out/oppna-data.webm"
cat > "$out/oppna-data.sv.vtt" <<'VTT'
WEBVTT

00:00:30.000 --> 00:00:35.000
Välkommen till Innovationsveckan och till Göteborgs Stad.

00:03:00.000 --> 00:03:07.500
Öppna data är data som vem som helst får använda, fritt och utan kostnad.

00:12:30.000 --> 00:12:36.000
Göteborgs Stad publicerar över hundra datamängder
som öppna data.

00:25:00.000 --> 00:25:06.000
Andra kan bygga tjänster på datamängderna,
till exempel om kollektivtrafik och luftkvalitet.

00:41:00.000 --> 00:41:05.000
Frågor från publiken om licenser och format.
VTT

# 6. Business Region Göteborg's afternoon (Thu 13:00-14:25): one stream from 12:55 to 14:30
#    over three talks, with chapters at the real changeovers (a little off the schedule).
chapters "$tmp/brg.txt" "0 310 Välkommen" "310 2120 Innovationsprogrammet Hoppet" \
  "2130 3880 Gothenburg Green City Zone" "3895 5520 Testbädden Electricity" "5520 5700 Avslutning"
ff $(picture 0xc62828) "${silence[@]}" -i "$tmp/brg.txt" -map 0:v -map 1:a -map_chapters 2 -t 5700 \
  "${h264[@]}" "${aac[@]}" -metadata creation_time=2021-10-07T10:55:00Z \
  -metadata title="Göteborg – Sveriges innovationsmotor" "$out/brg-studion/brg-eftermiddag.mkv"

# 7. Yesbox (Thu 10:00-10:45), a session that opted out of recording, recorded anyway.
ff $(picture 0x455a64) "${silence[@]}" -t 2880 "${h264[@]}" "${aac[@]}" "$out/yesbox/2021-10-07 09-58-00.mp4"

# 8. Johanneberg Science Park (Fri 13:00-13:45): a camera whose clock wrote local time as UTC
#    (12:57 local written as 12:57Z). Speech (jsp_said) at 400, 405 and 2600 s: the talk is
#    180-2880 s of the file.
speech jsp 2940 "${jsp_said[@]}"
ff $(picture 0x795548) -i "$tmp/jsp.wav" -map 0:v -map 1:a -t 2940 "${h264[@]}" "${speech_aac[@]}" \
  -metadata creation_time=2021-10-08T12:57:00Z "$out/jsp-kamera.mp4"

# 9. A file with no useful metadata at all.
ff $(picture 0x9e9e9e) "${silence[@]}" -t 1800 "${h264[@]}" "${aac[@]}" -map_metadata -1 \
  -fflags +bitexact "$out/MVI_0042.MP4"

du -ch "$out"/*.mp4 "$out"/*.MP4 "$out"/*.webm "$out"/*/*.m* | tail -1
