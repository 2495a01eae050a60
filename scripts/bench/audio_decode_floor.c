/* The floor under audio extraction for `make bench-asr`: libavformat and libavcodec alone,
 * decoding every packet of each file's best audio stream and throwing the samples away (no
 * resampling, no output), one file after another on one thread. Prints the seconds of audio
 * decoded. Whatever decodes with libavcodec cannot take less time than this. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>

static double decode(const char *path) {
    AVFormatContext *format = NULL;
    if (avformat_open_input(&format, path, NULL, NULL) < 0) { fprintf(stderr, "cannot open %s\n", path); return -1; }
    if (avformat_find_stream_info(format, NULL) < 0) { avformat_close_input(&format); return -1; }
    const AVCodec *codec = NULL;
    int index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (index < 0 || !codec) { avformat_close_input(&format); return -1; }
    for (unsigned i = 0; i < format->nb_streams; i++)
        if ((int)i != index) format->streams[i]->discard = AVDISCARD_ALL;
    AVCodecContext *context = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(context, format->streams[index]->codecpar);
    context->thread_count = 1;
    if (avcodec_open2(context, codec, NULL) < 0) { avcodec_free_context(&context); avformat_close_input(&format); return -1; }
    AVPacket *packet = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    long long samples = 0;
    while (av_read_frame(format, packet) >= 0) {
        if (packet->stream_index == index && avcodec_send_packet(context, packet) >= 0)
            while (avcodec_receive_frame(context, frame) >= 0) samples += frame->nb_samples;
        av_packet_unref(packet);
    }
    avcodec_send_packet(context, NULL);
    while (avcodec_receive_frame(context, frame) >= 0) samples += frame->nb_samples;
    double seconds = context->sample_rate > 0 ? (double)samples / context->sample_rate : 0;
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&context);
    avformat_close_input(&format);
    return seconds;
}

int main(int argc, char **argv) {
    double total = 0;
    for (int i = 1; i < argc; i++) {
        double seconds = decode(argv[i]);
        if (seconds < 0) return 1;
        total += seconds;
    }
    printf("%.3f\n", total);
    return 0;
}
