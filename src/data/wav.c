/* wav.c -- WAV files (RIFF, PCM 16-bit, mono or stereo mixed down), any sample rate.
 *
 * Format (Microsoft RIFF / WAVE, datasets.md §2.2), all little-endian:
 *
 *   byte 0    "RIFF", u32 riff_size (bytes after this field), "WAVE"
 *   byte 12   chunks: 4-byte id, u32 size, size bytes of payload, a pad byte if size is odd
 *             "fmt "  u16 format (1 PCM; 0xFFFE extensible + PCM GUID), u16 channels,
 *                     u32 rate, u32 byte rate, u16 block align, u16 bits
 *             "data"  the interleaved int16 frames
 *             anything else (LIST, fact, cue , ...) is skipped
 *
 * The bytes are hostile: every chunk size is checked against the end of the RIFF chunk before
 * it is used (so the walk visits at most riff_size/8 chunks), the RIFF size against the
 * buffer, the frame count against the caller's cap before the result is allocated. The byte
 * rate is not used and not checked (writers get it wrong; it has no effect on the samples).
 * Errors are "wav: PATH: byte OFF: ...".
 *
 * Cost: O(chunks) to parse, O(frames) to convert. A file read holds the file and the result.
 */
#include "data_internal.h"

#include <stdlib.h>
#include <string.h>

#define FMT "wav"

static const unsigned char pcm_guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

/* The "fmt " payload of size sz at b + at (at is its offset, for messages). */
static int parse_fmt(const unsigned char *b, size_t at, size_t sz, const char *path, elig_wav_info *info)
{
    const unsigned char *p = b + at;
    if (sz < 16) return elig__data_fail(FMT, path, at - 4, "fmt chunk is %zu bytes, at least 16 needed", sz);
    unsigned tag = elig__le16(p), ch = elig__le16(p + 2), align = elig__le16(p + 12), bits = elig__le16(p + 14);
    uint32_t rate = elig__le32(p + 4);
    if (tag == 0xFFFE) {
        if (sz < 40 || elig__le16(p + 16) < 22)
            return elig__data_fail(FMT, path, at - 4, "WAVE_FORMAT_EXTENSIBLE fmt chunk of %zu bytes is too short (40 needed)", sz);
        if (elig__le16(p + 24) != 1 || memcmp(p + 26, pcm_guid_tail, sizeof pcm_guid_tail) != 0)
            return elig__data_fail(FMT, path, at + 24, "extensible sub-format is not PCM (only PCM is supported)");
    } else if (tag != 1) {
        return elig__data_fail(FMT, path, at, "format tag 0x%04x is not supported (only PCM, 1)", tag);
    }
    if (ch != 1 && ch != 2) return elig__data_fail(FMT, path, at + 2, "%u channels, only 1 or 2 supported", ch);
    if (rate < 1 || rate > ELIG_WAV_MAX_RATE)
        return elig__data_fail(FMT, path, at + 4, "sample rate %u Hz outside 1 .. %d", rate, ELIG_WAV_MAX_RATE);
    if (bits != 16) return elig__data_fail(FMT, path, at + 14, "%u bits per sample, only 16 supported", bits);
    if (align != 2 * ch)
        return elig__data_fail(FMT, path, at + 12, "block align %u, expected %u for %u channels of 16 bits", align, 2 * ch, ch);
    info->sample_rate = (int)rate;
    info->channels = (int)ch;
    info->bits = 16;
    return ELIG_OK;
}

static int parse(const unsigned char *b, size_t len, const char *path, elig_wav_info *info)
{
    memset(info, 0, sizeof *info);
    static const char riff[4] = {'R', 'I', 'F', 'F'}, wave[4] = {'W', 'A', 'V', 'E'};
    for (size_t i = 0; i < 4 && i < len; i++)
        if (b[i] != (unsigned char)riff[i]) return elig__data_fail(FMT, path, i, "not a RIFF file (\"RIFF\" missing)");
    if (len < 12) return elig__data_fail(FMT, path, len, "file ends inside the 12-byte RIFF header (%zu bytes)", len);
    size_t riff_size = elig__le32(b + 4);
    if (riff_size < 4) return elig__data_fail(FMT, path, 4, "RIFF size %zu is too small to hold \"WAVE\"", riff_size);
    if (riff_size > len - 8)
        return elig__data_fail(FMT, path, 4, "RIFF size %zu runs past the end of the file (%zu bytes follow): truncated?",
                               riff_size, len - 8);
    if (memcmp(b + 8, wave, 4) != 0) return elig__data_fail(FMT, path, 8, "RIFF form is not \"WAVE\"");
    size_t end = 8 + riff_size, pos = 12;
    int have_fmt = 0, have_data = 0;
    while (pos < end) {
        if (end - pos < 8)
            return elig__data_fail(FMT, path, pos, "chunk header cut off by the end of the RIFF chunk (%zu of 8 bytes)", end - pos);
        const unsigned char *id = b + pos;
        size_t sz = elig__le32(b + pos + 4);
        char name[5];
        for (int k = 0; k < 4; k++) name[k] = (id[k] >= 0x20 && id[k] < 0x7f) ? (char)id[k] : '?';
        name[4] = 0;
        if (sz > end - pos - 8)
            return elig__data_fail(FMT, path, pos + 4, "chunk '%s' of %zu bytes runs past the end of the RIFF chunk (%zu bytes left)",
                                   name, sz, end - pos - 8);
        if (memcmp(id, "fmt ", 4) == 0) {
            if (have_fmt) return elig__data_fail(FMT, path, pos, "a second fmt chunk");
            int rc = parse_fmt(b, pos + 8, sz, path, info);
            if (rc) return rc;
            have_fmt = 1;
        } else if (memcmp(id, "data", 4) == 0) {
            if (!have_fmt) return elig__data_fail(FMT, path, pos, "data chunk before the fmt chunk");
            if (have_data) return elig__data_fail(FMT, path, pos, "a second data chunk");
            size_t align = 2 * (size_t)info->channels;
            if (sz % align)
                return elig__data_fail(FMT, path, pos + 4, "data size %zu is not a multiple of the block align %zu", sz, align);
            have_data = 1;
            info->data_off = pos + 8;
            info->n_frames = sz / align;
        }
        pos += 8 + sz;
        if (sz & 1) pos = pos < end ? pos + 1 : end; /* pad byte; tolerated missing at the very end */
    }
    if (!have_fmt) return elig__data_fail(FMT, path, end, "no fmt chunk before the end of the RIFF chunk");
    if (!have_data) return elig__data_fail(FMT, path, end, "no data chunk before the end of the RIFF chunk");
    return ELIG_OK;
}

int elig_wav_parse(const void *buf, size_t len, elig_wav_info *info)
{
    if (!buf && len) return elig__err(ELIG_EINVAL, "wav: buf must not be NULL (got NULL with len %zu)", len);
    static const unsigned char none[1] = {0};
    elig_wav_info tmp;
    return parse(buf ? buf : none, buf ? len : 0, NULL, info ? info : &tmp);
}

static int decode(const unsigned char *b, size_t len, const char *path, elig_wav_info *info, elig_real **out,
                  size_t max_frames)
{
    if (!out) return elig__err(ELIG_EINVAL, "wav: out must not be NULL");
    *out = NULL;
    if (max_frames == 0) max_frames = ELIG_WAV_DEFAULT_MAX_FRAMES;
    elig_wav_info inf;
    int rc = parse(b, len, path, &inf);
    if (rc) return rc;
    if (inf.n_frames > max_frames)
        return elig__err(ELIG_ELIMIT, "wav: %s%s%zu frames exceed max_frames %zu", path ? path : "", path ? ": " : "",
                         inf.n_frames, max_frames);
    size_t bytes;
    if (elig__mul(inf.n_frames, sizeof(elig_real), &bytes))
        return elig__err(ELIG_ELIMIT, "wav: %zu frames do not fit in memory", inf.n_frames);
    elig_real *o = malloc(bytes ? bytes : 1); /* malloc: the caller calls free() */
    if (!o) return elig__err(ELIG_ENOMEM, "wav: cannot allocate %zu bytes", bytes);
    const unsigned char *p = b + inf.data_off;
    if (inf.channels == 1) {
        for (size_t i = 0; i < inf.n_frames; i++) o[i] = (elig_real)((double)(int16_t)elig__le16(p + 2 * i) / 32768.0);
    } else {
        for (size_t i = 0; i < inf.n_frames; i++) {
            int l = (int16_t)elig__le16(p + 4 * i), r = (int16_t)elig__le16(p + 4 * i + 2);
            o[i] = (elig_real)((double)(l + r) / 65536.0);
        }
    }
    *out = o;
    if (info) *info = inf;
    return ELIG_OK;
}

int elig_wav_decode(const void *buf, size_t len, elig_wav_info *info, elig_real **out, size_t max_frames)
{
    if (!buf && len) return elig__err(ELIG_EINVAL, "wav: buf must not be NULL (got NULL with len %zu)", len);
    static const unsigned char none[1] = {0};
    return decode(buf ? buf : none, buf ? len : 0, NULL, info, out, max_frames);
}

int elig_wav_read(const char *path, elig_wav_info *info, elig_real **out, size_t max_frames)
{
    if (!out) return elig__err(ELIG_EINVAL, "wav: out must not be NULL");
    *out = NULL;
    if (!path) return elig__err(ELIG_EINVAL, "wav: path must not be NULL");
    size_t mf = max_frames ? max_frames : ELIG_WAV_DEFAULT_MAX_FRAMES, cap;
    if (elig__mul(mf, 4, &cap) || cap > SIZE_MAX - ELIG_WAV_MAX_OTHER_BYTES) cap = SIZE_MAX;
    else cap += ELIG_WAV_MAX_OTHER_BYTES;
    unsigned char *b;
    size_t len;
    int rc = elig__slurp(FMT, path, cap, &b, &len);
    if (rc) return rc;
    rc = decode(b, len, path, info, out, max_frames);
    elig__free(b);
    return rc;
}
