#ifndef EFTERHAND_CFFMPEG_SHIM_H
#define EFTERHAND_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <malloc.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavutil/channel_layout.h>

// Swift does not import function-like or expression macros; re-export the ones MediaProbe needs.
static const int64_t EF_NOPTS_VALUE = AV_NOPTS_VALUE;
static const int EF_AVERROR_EOF = AVERROR_EOF;
static const int EF_AVERROR_EXIT = AVERROR_EXIT;
static const int EF_AVERROR_INVALIDDATA = AVERROR_INVALIDDATA;
static const int EF_AVERROR_DEMUXER_NOT_FOUND = AVERROR_DEMUXER_NOT_FOUND;
static const int EF_AVERROR_STREAM_NOT_FOUND = AVERROR_STREAM_NOT_FOUND;
static const int EF_AVERROR_PATCHWELCOME = AVERROR_PATCHWELCOME;

static const int EF_DISPOSITION_ATTACHED_PIC = AV_DISPOSITION_ATTACHED_PIC;
static const int EF_AVERROR_EAGAIN = AVERROR(EAGAIN);
static const int EF_AVERROR_DECODER_NOT_FOUND = AVERROR_DECODER_NOT_FOUND;
static const int EF_AVERROR_ENCODER_NOT_FOUND = AVERROR_ENCODER_NOT_FOUND;

static inline int ef_averror(int errnum) { return AVERROR(errnum); }

// AV_CHANNEL_LAYOUT_MONO is a compound-literal macro, which Swift does not import.
static inline AVChannelLayout ef_mono_layout(void) { AVChannelLayout layout = AV_CHANNEL_LAYOUT_MONO; return layout; }

// libavformat grows and frees large sample tables for every MP4 it opens; keeping freed memory in
// the process instead of returning it to the kernel each time saves the page faults of mapping it
// again. The numbers are glibc's own macros, which Swift cannot see.
static inline void ef_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

// FFmpeg's log callback takes a va_list, which a Swift @convention(c) closure cannot; this
// trampoline formats the line in C and hands the finished text to a Swift sink.
// libavformat calls av_log for every sample of an MP4's index at trace level, and av_log hands
// each call to the callback unfiltered; the level is kept here, so that those calls cost one
// comparison instead of a call into libavutil for av_log_get_level.
typedef void (*ef_log_sink)(int level, const char *line);
static ef_log_sink ef_log_sink_function = 0;
static int ef_log_level = AV_LOG_WARNING;

static inline void ef_log_trampoline(void *context, int level, const char *format, va_list arguments) {
    if (level > ef_log_level || ef_log_sink_function == 0) return;
    char line[1024];
    int print_prefix = 1;
    av_log_format_line2(context, level, format, arguments, line, (int)sizeof line, &print_prefix);
    ef_log_sink_function(level, line);
}

static inline void ef_log_install(ef_log_sink sink, int level) {
    ef_log_level = level;
    av_log_set_level(level);
    ef_log_sink_function = sink;
    av_log_set_callback(ef_log_trampoline);
}

#endif
