/*
 * The VLA-R1 reward's common case in C, as a Node-API addon: the same values as `scoreInto` of
 * `src/rewards/scoreInto.ts` (the TypeScript reference, which this file follows function by function), for
 * responses whose `<output>` payloads are plain boxes or plain trajectories (the fast forms of
 * `src/rewards/asciiPayload.ts`). Anything else, an unusual payload, a non-finite weight, is declined: the
 * call returns false, writes nothing, and the caller scores the pair in TypeScript.
 *
 * Why it exists: the reward runs once per sampled answer in RL, and every part of it (tag search, number
 * scanning, the per-waypoint geometry, the Fréchet recurrence) costs several times less here than in
 * JavaScript, with nothing to cross but two strings.
 *
 * Exactness: the arithmetic is the TypeScript code's, operation for operation, in double precision without
 * fused multiply-adds (the build passes -ffp-contract=off). `atan2`, `log` and `acos` are the C library's (the
 * official Python code's own), where JavaScript has V8's ports: the two may differ in the last bit, which the
 * tests bound (1e-12 on every score).
 *
 * JavaScript: `score(response, groundTruth)`, with the weights λθ, λr in slots[0], slots[1] on entry, where
 * `slots` is the addon's ArrayBuffer of nine doubles; on true, it holds the nine slots of `RewardSlot` (score,
 * format, task, iou, giou, alaf, dfd, mode, error).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* SSE2 (every x86-64) reads eight text units and computes two cells at a time; elsewhere, or with
 * -DVLA_R1_NO_SIMD, the same operations run one at a time. */
#if defined(__SSE2__) && !defined(VLA_R1_NO_SIMD)
#define USE_SSE2 1
#include <emmintrin.h>
#endif

/* ---------------------------------------------------------------------------------------------------------
 * Per-environment storage (a worker thread has its own), grown as needed.
 */

typedef struct {
  uint16_t *text[2];
  size_t textCap[2];
  double *xy[2]; /* the two trajectories, interleaved x, y */
  size_t xyCap[2];
  /* per-point geometry of P (index 0, the ground truth) and Q (1) */
  double *geo[2];
  size_t geoCap[2];
  double *rows; /* the rolling rows of both recurrences, and a row of costs and distances */
  size_t rowsCap;
  long *exactCells; /* cells of a row that need the official arithmetic */
  size_t exactCap;
  double *slots; /* the `slots` ArrayBuffer shared with JavaScript: the weights in, the reward out */
  napi_ref slotsRef;
} Storage;

/* The per-point arrays inside geo[s]: each `cap` doubles long. */
enum { G_HEADING, G_WEIGHT, G_LENGTH, G_LOG, G_LOG_EPS, G_SEG_HEADING, G_SEG_KIND, G_EXACT_X, G_EXACT_Y, G_EXACT_NORM, G_EXACT_DONE, G_SEG_X, G_SEG_Y, G_SEG_DONE, G_COUNT };

static int grow(void **p, size_t *cap, size_t want, size_t unit) {
  if (*cap >= want) return 1;
  size_t n = *cap < 64 ? 64 : *cap;
  while (n < want) n *= 2;
  void *q = realloc(*p, n * unit);
  if (q == NULL) return 0;
  *p = q;
  *cap = n;
  return 1;
}

/* ---------------------------------------------------------------------------------------------------------
 * Text: tags and Python whitespace (src/rewards/answerTags.ts, src/protocol/pythonText.ts).
 */

static int isPythonSpace(uint16_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return 0;
  return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}

/* Python's IGNORECASE match of one letter of the tags: the ASCII cases, and the non-ASCII characters whose
 * simple case mapping is that letter (İ and ı for i, the KELVIN SIGN for k). */
static inline __attribute__((always_inline)) int letterIs(uint16_t c, char lower) {
  if ((c | 0x20) == (uint16_t)lower && c < 0x80) return 1;
  if (lower == 'i') return c == 0x130 || c == 0x131;
  if (lower == 'k') return c == 0x212a;
  return 0;
}

/* Index of the first `<` in t[from, n), or n: eight units at a time with SSE2 (the text's zero units after its
 * end keep the last loads in the buffer). Tag searches spend their time here, over the reasoning text. */
static long findOpenBracket(const uint16_t *t, long from, long n) {
  long at = from;
#ifdef USE_SSE2
  const __m128i bracket = _mm_set1_epi16('<');
  for (; at < n; at += 8) {
    int mask = _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_loadu_si128((const __m128i *)(t + at)), bracket));
    if (mask != 0) {
      long found = at + __builtin_ctz((unsigned)mask) / 2;
      return found < n ? found : n;
    }
  }
  return n;
#else
  while (at < n && t[at] != '<') at++;
  return at;
#endif
}

/* End of the tag `<` letters `>` (`</` letters `>` when closing; letters in any case) that starts exactly at
 * t[at], or -1. Inlined where it is called with literal letters, so that their length and comparisons are
 * constants. */
static inline __attribute__((always_inline)) long tagEndAt(const uint16_t *t, long n, long at, const char *letters, int closing) {
  const long len = (long)__builtin_strlen(letters);
  if (at + len + 2 + (closing ? 1 : 0) > n || t[at] != '<') return -1;
  long k = at + 1;
  if (closing && t[k++] != '/') return -1;
  for (long q = 0; q < len; q++) {
    if (!letterIs(t[k + q], letters[q])) return -1;
  }
  return t[k + len] == '>' ? k + len + 1 : -1;
}

/* End of the first such tag at or after `from`, or -1. */
static inline __attribute__((always_inline)) long findTagEnd(const uint16_t *t, long n, long from, const char *letters, int closing) {
  for (long at = findOpenBracket(t, from, n); at < n; at = findOpenBracket(t, at + 1, n)) {
    const long end = tagEndAt(t, n, at, letters, closing);
    if (end >= 0) return end;
  }
  return -1;
}

/* The official `<think>…</think>` test: an opening tag with a closing tag after it. */
static int hasThinkPair(const uint16_t *t, long n) {
  long open = findTagEnd(t, n, 0, "think", 0);
  return open >= 0 && findTagEnd(t, n, open, "think", 1) >= 0;
}

/* ---------------------------------------------------------------------------------------------------------
 * Payloads: the fast forms of src/rewards/asciiPayload.ts, read from the block's content start. The text has
 * at least 8 zero units after its end, so the look-ahead never leaves the buffer.
 */

static const double POW10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
#define MAX_DIGITS 15

static int jsonSpace(uint16_t c) { return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09; }

/* Only Python whitespace (ASCII, as the TypeScript fast path) then `</output>` in any case from `i`. */
static int closesOutputBlock(const uint16_t *u, long i, long n) {
  while (u[i] < 0x80 && isPythonSpace(u[i])) i++;
  return tagEndAt(u, n, i, "output", 1) >= 0;
}

#ifdef USE_SSE2
/* Masks keeping the first `count` units (0..8) of eight, for the digits of a fraction. */
static const uint16_t PREFIX_UNITS[9][8] = {
    {0, 0, 0, 0, 0, 0, 0, 0},
    {0xffff, 0, 0, 0, 0, 0, 0, 0},
    {0xffff, 0xffff, 0, 0, 0, 0, 0, 0},
    {0xffff, 0xffff, 0xffff, 0, 0, 0, 0, 0},
    {0xffff, 0xffff, 0xffff, 0xffff, 0, 0, 0, 0},
    {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0, 0, 0},
    {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0, 0},
    {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0},
    {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff},
};

/* The run of digits starting at u (at most 8 looked at): its length (8 meaning 8 or more), and in *scaled its
 * value padded with zeros to 8 digits (d0 d1 … d(count−1) 0 … 0). No branch depends on the number of digits,
 * whose varying count would otherwise cost a mispredicted loop exit per number. */
static int digitRun8(const uint16_t *u, uint32_t *scaled) {
  const __m128i digits = _mm_sub_epi16(_mm_loadu_si128((const __m128i *)u), _mm_set1_epi16('0'));
  const __m128i isDigit = _mm_cmpeq_epi16(_mm_subs_epu16(digits, _mm_set1_epi16(9)), _mm_setzero_si128());
  const unsigned mask = (unsigned)_mm_movemask_epi8(isDigit);
  const int count = mask == 0xffff ? 8 : __builtin_ctz(~mask) / 2;
  const __m128i kept = _mm_and_si128(digits, _mm_loadu_si128((const __m128i *)PREFIX_UNITS[count]));
  const __m128i pairs = _mm_madd_epi16(kept, _mm_setr_epi16(10, 1, 10, 1, 10, 1, 10, 1));
  const __m128i quads = _mm_madd_epi16(_mm_packs_epi32(pairs, pairs), _mm_setr_epi16(100, 1, 100, 1, 100, 1, 100, 1));
  *scaled = (uint32_t)_mm_cvtsi128_si32(quads) * 10000u + (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(quads, 4));
  return count;
}
#endif

/* One number `-?(0|[1-9][0-9]*)(\.[0-9]+)?` of at most 15 digits at u[*at]: its value into *value and the
 * index after it into *at; 0 when it is not one. The value is the TypeScript reader's: the digits as an exact
 * integer over a power of ten, one correctly rounded division (what Python's float() gives). */
static int scanNumber(const uint16_t *u, long *at, double *value) {
  long i = *at;
  uint16_t c = u[i];
  int negative = c == '-';
  if (negative) c = u[++i];
  if (c < '0' || c > '9') return 0;
  uint64_t mantissa = (uint64_t)(c - '0');
  int digits = 1;
  c = u[++i];
  if (mantissa != 0) {
    while (c >= '0' && c <= '9') {
      mantissa = mantissa * 10 + (uint64_t)(c - '0');
      digits++;
      c = u[++i];
    }
  }
  double v;
  if (c == '.') {
    int fraction = 0;
#ifdef USE_SSE2
    uint32_t scaled;
    int count = digitRun8(u + i + 1, &scaled);
    if (count < 8 && digits <= 7) {
      /* (mantissa·10^8 + scaled) / 10^8 is the same rational number as (mantissa·10^count + digits) /
       * 10^count, with an exact numerator (below 2^53 for at most 7 whole digits): the same rounded double. */
      if (count == 0) return 0;
      i += 1 + count;
      c = u[i];
      v = (double)(mantissa * 100000000u + scaled) / 1e8;
      if (negative) v = -v;
      if (c == 'e' || c == 'E') return 0;
      *value = v;
      *at = i;
      return 1;
    }
#endif
    c = u[++i];
    while (c >= '0' && c <= '9' && digits + fraction < 19) {
      mantissa = mantissa * 10 + (uint64_t)(c - '0');
      fraction++;
      c = u[++i];
    }
    if (fraction == 0 || digits + fraction > MAX_DIGITS) return 0;
    v = (double)mantissa / POW10[fraction];
    if (negative) v = -v;
  } else {
    if (digits > MAX_DIGITS) return 0;
    v = negative && mantissa != 0 ? -(double)mantissa : (double)mantissa;
  }
  if (c == 'e' || c == 'E') return 0;
  *value = v;
  *at = i;
  return 1;
}

/* A non-empty array of [number, number] pairs at u[start]: the pairs into storage xy[slot], their count into
 * *count; returns the index after the array, or -1. */
static long scanPairs(Storage *s, int slot, const uint16_t *u, long start, long *count) {
  long i = start;
  if (u[i] != '[') return -1;
  long k = 0;
  i++;
  for (;;) {
    while (jsonSpace(u[i])) i++;
    if (u[i] != '[') return -1;
    i++;
    if (!grow((void **)&s->xy[slot], &s->xyCap[slot], (size_t)k + 2, sizeof(double))) return -1;
    for (int coordinate = 0; coordinate < 2; coordinate++) {
      while (jsonSpace(u[i])) i++;
      if (!scanNumber(u, &i, &s->xy[slot][k++])) return -1;
      while (jsonSpace(u[i])) i++;
      if (u[i] != (coordinate == 0 ? ',' : ']')) return -1;
      i++;
    }
    while (jsonSpace(u[i])) i++;
    if (u[i] == ']') {
      *count = k / 2;
      return i + 1;
    }
    if (u[i] != ',') return -1;
    i++;
  }
}

/* Which box key the units u[at, at + length) spell: 0 x, 1 y, 2 width, 3 height, or -1. */
static int boxKeySlot(const uint16_t *u, long at, long length) {
  switch (length) {
    case 1:
      return u[at] == 'x' ? 0 : u[at] == 'y' ? 1 : -1;
    case 5:
      return u[at] == 'w' && u[at + 1] == 'i' && u[at + 2] == 'd' && u[at + 3] == 't' && u[at + 4] == 'h' ? 2 : -1;
    case 6:
      return u[at] == 'h' && u[at + 1] == 'e' && u[at + 2] == 'i' && u[at + 3] == 'g' && u[at + 4] == 'h' && u[at + 5] == 't' ? 3 : -1;
    default:
      return -1;
  }
}

/* A JSON object of plain keys and fast-form numbers, with the four box keys, at u[start]: the values into
 * box[0..4) (x, y, width, height; a repeated key keeps its last value); the index after it, or -1. */
static long scanBox(const uint16_t *u, long start, double *box) {
  long i = start;
  if (u[i] != '{') return -1;
  int seen = 0;
  i++;
  for (;;) {
    while (jsonSpace(u[i])) i++;
    if (u[i] != '"') return -1;
    long keyStart = ++i;
    while (u[i] != '"') {
      uint16_t c = u[i];
      if (c == '\\' || c < 0x20 || c == '<' || c >= 0x80) return -1;
      i++;
    }
    int slot = boxKeySlot(u, keyStart, i - keyStart);
    i++;
    while (jsonSpace(u[i])) i++;
    if (u[i] != ':') return -1;
    i++;
    while (jsonSpace(u[i])) i++;
    double value;
    if (!scanNumber(u, &i, &value)) return -1;
    if (slot >= 0) {
      box[slot] = value;
      seen |= 1 << slot;
    }
    while (jsonSpace(u[i])) i++;
    if (u[i] == '}') return seen == 0xf ? i + 1 : -1;
    if (u[i] != ',') return -1;
    i++;
  }
}

/* What a text's `<output>` block holds, for the reward. */
enum { ABSENT = 0, BOX = 1, TRAJECTORY = 2, DECLINE = 3 };

/* The payload of the first `<output>` block of text `slot`, read only in the shapes `wanted` allows (a bit
 * set of BOX and TRAJECTORY; a payload that cannot be one is absent, as OutputPayload.read does). An opening
 * tag without a closing tag after it (an answer cut off by the token limit) is no block: absent. */
static int readPayload(Storage *s, int slot, long n, int wanted, double *box, long *points) {
  const uint16_t *t = s->text[slot];
  long at = findTagEnd(t, n, 0, "output", 0);
  if (at < 0) return ABSENT;
  while (at < n && isPythonSpace(t[at])) at++;
  uint16_t token = at < n ? t[at] : 0;
  if (token == '{' && (wanted & BOX)) {
    long after = scanBox(t, at, box);
    if (after >= 0 && closesOutputBlock(t, after, n)) return BOX;
  } else if (token == '[' && (wanted & TRAJECTORY)) {
    long after = scanPairs(s, slot, t, at, points);
    if (after >= 0 && closesOutputBlock(t, after, n)) return TRAJECTORY;
  } else if (wanted != (BOX | TRAJECTORY)) {
    return ABSENT; /* the ground truth, where it cannot have the prediction's shape */
  }
  /* Another payload (the TypeScript readers decide), unless no block closes. */
  return findTagEnd(t, n, at, "output", 1) < 0 ? ABSENT : DECLINE;
}

/* ---------------------------------------------------------------------------------------------------------
 * Python's math (src/geometry/pythonMath.ts).
 */

static double pyMax(double a, double b) { return b > a ? b : a; }
static double pyMin(double a, double b) { return b < a ? b : a; }
static double clip01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

static double squareLow(double x, double hi) {
  double c = 134217729.0 * x;
  double xh = c - (c - x);
  double xl = x - xh;
  return xh * xh - hi + 2 * xh * xl + xl * xl;
}

/* CPython 3.11's two-argument math.hypot (its vector_norm), as pythonHypot of pythonMath.ts. */
static double pythonHypot(double x, double y) {
  double ax = fabs(x), ay = fabs(y);
  if (isinf(ax) || isinf(ay)) return INFINITY;
  if (isnan(ax) || isnan(ay)) return NAN;
  if (ax == 0) return ay;
  if (ay == 0) return ax;
  double max = ax > ay ? ax : ay;
  uint64_t bits;
  memcpy(&bits, &max, sizeof bits);
  int biased = (int)((bits >> 52) & 0x7ff);
  const double tiny = 0x1p-600;
  if (biased == 0) return pythonHypot(ax / tiny, ay / tiny) * tiny;
  double scale = ldexp(1.0, 1022 - biased);
  double csum = 1, frac1 = 0, frac2 = 0;
  double v = ax * scale;
  double hi = v * v;
  frac1 += squareLow(v, hi);
  double sum = csum + hi;
  frac2 += hi - (sum - csum);
  csum = sum;
  v = ay * scale;
  hi = v * v;
  frac1 += squareLow(v, hi);
  sum = csum + hi;
  frac2 += hi - (sum - csum);
  csum = sum;
  double h = sqrt(csum - 1 + (frac1 + frac2));
  hi = -h * h;
  frac1 += -squareLow(h, -hi);
  sum = csum + hi;
  frac2 += hi - (sum - csum);
  csum = sum;
  h += (csum - 1 + (frac1 + frac2)) / (2 * h);
  return h / scale;
}

/* ---------------------------------------------------------------------------------------------------------
 * Boxes (src/protocol/boxes.ts centreToCornersInto, src/geometry/boxScores.ts).
 */

static void centreToCorners(const double *box, double *out) {
  double x = box[0], y = box[1];
  double w = fabs(box[2]) / 2, h = fabs(box[3]) / 2;
  out[0] = clip01(x - w);
  out[1] = clip01(y - h);
  out[2] = clip01(x + w);
  out[3] = clip01(y + h);
}

static double cornerArea(double x1, double y1, double x2, double y2) { return pyMax(0, x2 - x1) * pyMax(0, y2 - y1); }

static void boxScores(const double *a, const double *b, double *iouOut, double *giouOut) {
  double inter = cornerArea(pyMax(a[0], b[0]), pyMax(a[1], b[1]), pyMin(a[2], b[2]), pyMin(a[3], b[3]));
  double uni = cornerArea(a[0], a[1], a[2], a[3]) + cornerArea(b[0], b[1], b[2], b[3]) - inter;
  double iou = uni <= 0 ? 0 : inter / uni;
  double enclosing = cornerArea(pyMin(a[0], b[0]), pyMin(a[1], b[1]), pyMax(a[2], b[2]), pyMax(a[3], b[3]));
  double c = enclosing == 0 ? 1e-12 : enclosing;
  double flooredUnion = pyMax(1e-12, uni);
  *iouOut = iou;
  *giouOut = pyMax(-1, pyMin(1, iou - (c - flooredUnion) / c));
}

/* ---------------------------------------------------------------------------------------------------------
 * Trajectory geometry (src/geometry/headingGeometry.ts): headings, lengths, log lengths, and the official
 * directions where the kernel needs them.
 */

#define EPS 1e-12
#define TINY_SEGMENT 1e-9
#define U_TURN_MARGIN 0.02
#define NEAR_PARALLEL_ANGLE 2e-3
enum { ORDINARY = 0, ZERO = 1, TINY = 2 };

typedef struct {
  const double *xy;
  long n;
  double *g[G_COUNT];
  int hasShort;
} Geometry;

static double wrapAngle(double h) {
  if (h > M_PI) return h - 2 * M_PI;
  if (h <= -M_PI) return h + 2 * M_PI;
  return h;
}

static void ensureExactSegment(Geometry *p, long k) {
  if (p->g[G_SEG_DONE][k] != 0) return;
  double dx = p->xy[2 * k + 2] - p->xy[2 * k];
  double dy = p->xy[2 * k + 3] - p->xy[2 * k + 1];
  double len = pythonHypot(dx, dy);
  int isShort = len < EPS;
  p->g[G_SEG_X][k] = isShort ? 0 : dx / len;
  p->g[G_SEG_Y][k] = isShort ? 0 : dy / len;
  p->g[G_SEG_DONE][k] = 1;
}

/* The official direction of point i and its norm, bit for bit (Python's operations in Python's order). */
static void ensureExactAt(Geometry *p, long i) {
  if (p->g[G_EXACT_DONE][i] != 0) return;
  long n = p->n;
  double tx = 0, ty = 0;
  if (n > 1) {
    long k = i == n - 1 ? i - 1 : i;
    ensureExactSegment(p, k);
    tx = p->g[G_SEG_X][k];
    ty = p->g[G_SEG_Y][k];
    if (i > 0 && i < n - 1) {
      double outX = tx, outY = ty;
      ensureExactSegment(p, i - 1);
      double inX = p->g[G_SEG_X][i - 1], inY = p->g[G_SEG_Y][i - 1];
      double sx = inX + outX, sy = inY + outY;
      double norm = pythonHypot(sx, sy);
      if (norm >= EPS) {
        tx = sx / norm;
        ty = sy / norm;
      } else {
        tx = inX;
        ty = inY;
      }
    }
  }
  p->g[G_EXACT_X][i] = tx;
  p->g[G_EXACT_Y][i] = ty;
  p->g[G_EXACT_NORM][i] = tx == 0 && ty == 0 ? 0 : pythonHypot(tx, ty);
  p->g[G_EXACT_DONE][i] = 1;
}

static void exactHeading(Geometry *p, long i) {
  ensureExactAt(p, i);
  int flat = p->g[G_EXACT_NORM][i] < EPS;
  p->g[G_HEADING][i] = flat ? 0 : atan2(p->g[G_EXACT_Y][i], p->g[G_EXACT_X][i]);
  p->g[G_WEIGHT][i] = flat ? 0 : 1;
}

/* Fill the geometry of the n >= 1 clipped points xy (finite, in [0, 1]). */
static int computeGeometry(Storage *s, int slot, Geometry *p, const double *xy, long n) {
  if (!grow((void **)&s->geo[slot], &s->geoCap[slot], (size_t)n * G_COUNT, sizeof(double))) return 0;
  for (int a = 0; a < G_COUNT; a++) p->g[a] = s->geo[slot] + (size_t)a * n;
  p->xy = xy;
  p->n = n;
  memset(p->g[G_EXACT_DONE], 0, n * sizeof(double));
  memset(p->g[G_SEG_DONE], 0, n * sizeof(double));
  double *heading = p->g[G_HEADING], *weight = p->g[G_WEIGHT], *length = p->g[G_LENGTH], *logLength = p->g[G_LOG];
  double *segHeading = p->g[G_SEG_HEADING], *segKind = p->g[G_SEG_KIND];
  if (n == 1) {
    heading[0] = 0;
    weight[0] = 0;
    length[0] = 0;
    logLength[0] = 0;
    p->hasShort = 1;
    return 1;
  }
  int hasShort = 0;
  for (long k = 0; k < n - 1; k++) {
    double dx = xy[2 * k + 2] - xy[2 * k];
    double dy = xy[2 * k + 3] - xy[2 * k + 1];
    double len = sqrt(dx * dx + dy * dy);
    if (len >= TINY_SEGMENT) {
      segKind[k] = ORDINARY;
      segHeading[k] = atan2(dy, dx);
    } else if (dx == 0 && dy == 0) {
      segKind[k] = ZERO;
    } else {
      len = pythonHypot(dx, dy);
      segKind[k] = TINY;
    }
    length[k] = len;
    int isLong = len > EPS;
    logLength[k] = isLong ? log(len) : 0;
    if (!isLong) hasShort = 1;
  }
  length[n - 1] = length[n - 2];
  logLength[n - 1] = logLength[n - 2];
  p->hasShort = hasShort;
  for (long i = 0; i < n; i++) {
    int before = i > 0 ? (int)segKind[i - 1] : ZERO;
    int after = i < n - 1 ? (int)segKind[i] : ZERO;
    if (before == TINY || after == TINY) {
      exactHeading(p, i);
    } else if (before == ZERO || after == ZERO) {
      int flat = before == ZERO && after == ZERO;
      heading[i] = flat ? 0 : segHeading[before == ZERO ? i : i - 1];
      weight[i] = flat ? 0 : 1;
    } else {
      double inHeading = segHeading[i - 1];
      double turn = wrapAngle(segHeading[i] - inHeading);
      if (fabs(turn) < M_PI - U_TURN_MARGIN) {
        heading[i] = wrapAngle(inHeading + turn / 2);
        weight[i] = 1;
      } else {
        exactHeading(p, i);
      }
    }
  }
  return 1;
}

/* ln(ℓ + EPS) at every point (a repeated point: ln EPS), for pairs where either length is short. */
static void fillEpsLogs(Geometry *p) {
  for (long i = 0; i < p->n; i++) {
    double len = p->g[G_LENGTH][i];
    p->g[G_LOG_EPS][i] = len == 0 ? log(EPS) : log(len + EPS);
  }
}

/* The official angle of pair (i, j) from the exact directions (0 when either is zero). */
static double exactAngle(Geometry *p, long i, Geometry *q, long j) {
  ensureExactAt(p, i);
  ensureExactAt(q, j);
  double tn = p->g[G_EXACT_NORM][i], vn = q->g[G_EXACT_NORM][j];
  if (tn < EPS || vn < EPS) return 0;
  double cosine = (p->g[G_EXACT_X][i] * q->g[G_EXACT_X][j] + p->g[G_EXACT_Y][i] * q->g[G_EXACT_Y][j]) / (tn * vn);
  return acos(pyMax(-1, pyMin(1, cosine)));
}

/* ---------------------------------------------------------------------------------------------------------
 * ALAF and the plain discrete Fréchet distance in one pass (src/geometry/alafDistance.ts headingRecurrence,
 * fillCostRows, fillExactCell, and the recurrence of frechetSimd.ts).
 */

#ifndef USE_SSE2
static double pmin(double a, double b) { return b < a ? b : a; }
static double pmax(double a, double b) { return a < b ? b : a; }
#endif

/* The cost and distance of pair (i, j) with the official arithmetic where the fast one is not exact enough: the
 * exact hypot where the distance underflows, the official acos where the angle is near 0 or π. */
static void exactCell(Geometry *p, long i, Geometry *q, long j, double lambdaAngle, double lambdaLength, int withEps, double *cell) {
  const double dx = p->xy[2 * i] - q->xy[2 * j], dy = p->xy[2 * i + 1] - q->xy[2 * j + 1];
  double d = sqrt(dx * dx + dy * dy);
  if (!(d > 1e-150) && (dx != 0 || dy != 0)) d = pythonHypot(dx, dy);
  const double turn = fabs(p->g[G_HEADING][i] - q->g[G_HEADING][j]);
  const double otherWay = 2 * M_PI - turn;
  double angle = otherWay < turn ? otherWay : turn;
  if (angle < NEAR_PARALLEL_ANGLE || angle > M_PI - NEAR_PARALLEL_ANGLE) angle = exactAngle(p, i, q, j);
  double ratio = p->g[G_LOG][i] - q->g[G_LOG][j];
  if (withEps && !(p->g[G_LENGTH][i] > EPS && q->g[G_LENGTH][j] > EPS)) ratio = p->g[G_LOG_EPS][i] - q->g[G_LOG_EPS][j];
  cell[0] = d + lambdaAngle * (angle * (p->g[G_WEIGHT][i] * q->g[G_WEIGHT][j])) + lambdaLength * fabs(ratio);
  cell[1] = d;
}

static int alafDistances(Storage *s, Geometry *p, Geometry *q, double lambdaAngle, double lambdaLength, double *alaf, double *dfd) {
  const long m = p->n, n = q->n;
  const int withEps = p->hasShort || q->hasShort;
  if (withEps) {
    fillEpsLogs(p);
    fillEpsLogs(q);
  }
  if (!grow((void **)&s->rows, &s->rowsCap, (size_t)n * 6, sizeof(double))) return 0;
  if (!grow((void **)&s->exactCells, &s->exactCap, (size_t)n, sizeof(long))) return 0;
  /* Interleaved (ALAF, plain) pairs: the previous and current rows of both recurrences, and the row's (cost,
   * distance) cells. */
  double *prev = s->rows, *cur = s->rows + 2 * n, *cells = s->rows + 4 * n;
  long *exact = s->exactCells;
  const double *pxy = p->xy, *qxy = q->xy;
  const double *qHeading = q->g[G_HEADING], *qWeight = q->g[G_WEIGHT], *qLength = q->g[G_LENGTH], *qLog = q->g[G_LOG], *qLogEps = q->g[G_LOG_EPS];
  const double twoPi = 2 * M_PI, antiparallelAbove = M_PI - NEAR_PARALLEL_ANGLE;
  for (long i = 0; i < m; i++) {
    const double px = pxy[2 * i], py = pxy[2 * i + 1];
    const double h = p->g[G_HEADING][i], weight = p->g[G_WEIGHT][i];
    const int pLong = p->g[G_LENGTH][i] > EPS;
    const double logLength = p->g[G_LOG][i], logLengthEps = withEps ? p->g[G_LOG_EPS][i] : 0;
    /* The row's cells, with the heading difference as the angle; the cells that need the official arithmetic
     * (an angle near 0 or π where it counts, a distance that underflows) are listed and redone after. A zero
     * direction (weight 0) makes the angle term 0 whatever the angle: no exact angle is needed there. */
    long exactCount = 0;
    long j = 0;
#ifdef USE_SSE2
    {
      /* Two cells at a time: the same operations in the same order, lane by lane. */
      const __m128d vpx = _mm_set1_pd(px), vpy = _mm_set1_pd(py), vh = _mm_set1_pd(h), vWeight = _mm_set1_pd(weight);
      const __m128d vLog = _mm_set1_pd(logLength), vLogEps = _mm_set1_pd(logLengthEps);
      const __m128d vAngle = _mm_set1_pd(lambdaAngle), vLength = _mm_set1_pd(lambdaLength), vTwoPi = _mm_set1_pd(twoPi);
      const __m128d sign = _mm_set1_pd(-0.0), zero = _mm_setzero_pd(), eps = _mm_set1_pd(EPS);
      const __m128d near = _mm_set1_pd(NEAR_PARALLEL_ANGLE), anti = _mm_set1_pd(antiparallelAbove), underflowBelow = _mm_set1_pd(1e-150);
      const __m128d pLongMask = _mm_castsi128_pd(_mm_set1_epi64x(pLong ? -1 : 0));
      for (; j + 2 <= n; j += 2) {
        const __m128d qa = _mm_loadu_pd(qxy + 2 * j), qb = _mm_loadu_pd(qxy + 2 * j + 2);
        const __m128d dx = _mm_sub_pd(vpx, _mm_unpacklo_pd(qa, qb)), dy = _mm_sub_pd(vpy, _mm_unpackhi_pd(qa, qb));
        const __m128d d = _mm_sqrt_pd(_mm_add_pd(_mm_mul_pd(dx, dx), _mm_mul_pd(dy, dy)));
        const __m128d turn = _mm_andnot_pd(sign, _mm_sub_pd(vh, _mm_loadu_pd(qHeading + j)));
        const __m128d angle = _mm_min_pd(_mm_sub_pd(vTwoPi, turn), turn); /* otherWay < turn ? otherWay : turn */
        const __m128d weights = _mm_mul_pd(vWeight, _mm_loadu_pd(qWeight + j));
        __m128d ratio = _mm_sub_pd(vLog, _mm_loadu_pd(qLog + j));
        if (withEps) {
          const __m128d bothLong = _mm_and_pd(pLongMask, _mm_cmpgt_pd(_mm_loadu_pd(qLength + j), eps));
          const __m128d ratioEps = _mm_sub_pd(vLogEps, _mm_loadu_pd(qLogEps + j));
          ratio = _mm_or_pd(_mm_and_pd(bothLong, ratio), _mm_andnot_pd(bothLong, ratioEps));
        }
        const __m128d angleTerm = _mm_mul_pd(vAngle, _mm_mul_pd(angle, weights));
        const __m128d cost = _mm_add_pd(_mm_add_pd(d, angleTerm), _mm_mul_pd(vLength, _mm_andnot_pd(sign, ratio)));
        _mm_storeu_pd(cells + 2 * j, _mm_unpacklo_pd(cost, d));
        _mm_storeu_pd(cells + 2 * j + 2, _mm_unpackhi_pd(cost, d));
        const __m128d nearly = _mm_and_pd(_mm_cmpneq_pd(weights, zero), _mm_or_pd(_mm_cmplt_pd(angle, near), _mm_cmpgt_pd(angle, anti)));
        const __m128d underflow = _mm_and_pd(_mm_cmpngt_pd(d, underflowBelow), _mm_or_pd(_mm_cmpneq_pd(dx, zero), _mm_cmpneq_pd(dy, zero)));
        const int flags = _mm_movemask_pd(_mm_or_pd(nearly, underflow));
        if (flags != 0) {
          if (flags & 1) exact[exactCount++] = j;
          if (flags & 2) exact[exactCount++] = j + 1;
        }
      }
    }
#endif
    for (; j < n; j++) {
      const double dx = px - qxy[2 * j], dy = py - qxy[2 * j + 1];
      const double d = sqrt(dx * dx + dy * dy);
      const double turn = fabs(h - qHeading[j]);
      const double otherWay = twoPi - turn;
      const double angle = otherWay < turn ? otherWay : turn;
      const double weights = weight * qWeight[j];
      if ((weights != 0 && (angle < NEAR_PARALLEL_ANGLE || angle > antiparallelAbove)) || (!(d > 1e-150) && (dx != 0 || dy != 0))) {
        exact[exactCount++] = j;
      }
      double ratio = logLength - qLog[j];
      if (withEps && !(pLong && qLength[j] > EPS)) ratio = logLengthEps - qLogEps[j];
      cells[2 * j] = d + lambdaAngle * (angle * weights) + lambdaLength * fabs(ratio);
      cells[2 * j + 1] = d;
    }
    for (long e = 0; e < exactCount; e++) exactCell(p, i, q, exact[e], lambdaAngle, lambdaLength, withEps, cells + 2 * exact[e]);
    /* Both recurrences along the row, C(i, j) = max(min(C(i−1, j), C(i−1, j−1), C(i, j−1)), cost(i, j)): the
     * costs are finite, so any exact selection gives Python's min and max. */
#ifdef USE_SSE2
    __m128d left;
    if (i == 0) {
      left = _mm_loadu_pd(cells);
      _mm_storeu_pd(cur, left);
      for (long k = 1; k < n; k++) {
        left = _mm_max_pd(left, _mm_loadu_pd(cells + 2 * k));
        _mm_storeu_pd(cur + 2 * k, left);
      }
    } else {
      left = _mm_max_pd(_mm_loadu_pd(prev), _mm_loadu_pd(cells));
      _mm_storeu_pd(cur, left);
      __m128d diag = _mm_loadu_pd(prev);
      for (long k = 1; k < n; k++) {
        const __m128d up = _mm_loadu_pd(prev + 2 * k);
        left = _mm_max_pd(_mm_min_pd(_mm_min_pd(up, diag), left), _mm_loadu_pd(cells + 2 * k));
        _mm_storeu_pd(cur + 2 * k, left);
        diag = up;
      }
    }
#else
    for (int lane = 0; lane < 2; lane++) {
      double left = i == 0 ? cells[lane] : pmax(prev[lane], cells[lane]);
      cur[lane] = left;
      for (long k = 1; k < n; k++) {
        left = i == 0 ? pmax(left, cells[2 * k + lane]) : pmax(pmin(pmin(prev[2 * k + lane], prev[2 * k - 2 + lane]), left), cells[2 * k + lane]);
        cur[2 * k + lane] = left;
      }
    }
#endif
    double *t = prev;
    prev = cur;
    cur = t;
  }
  *alaf = prev[2 * n - 2];
  *dfd = prev[2 * n - 1];
  return 1;
}

/* ---------------------------------------------------------------------------------------------------------
 * The reward (src/rewards/scoreInto.ts).
 */

enum { S_SCORE, S_FORMAT, S_TASK, S_IOU, S_GIOU, S_ALAF, S_DFD, S_MODE, S_ERROR, SLOTS };

/* Copy a JavaScript string into text[slot] as UTF-16 with 8 zero units after it; its length, or -1. */
static long readText(napi_env env, Storage *s, int slot, napi_value value) {
  size_t copied = 0;
  /* One call when the buffer holds the string (it copies at most capacity − 9 units here); else ask the length. */
  if (s->textCap[slot] > 9) {
    if (napi_get_value_string_utf16(env, value, (char16_t *)s->text[slot], s->textCap[slot] - 8, &copied) != napi_ok) return -1;
    if (copied < s->textCap[slot] - 9) {
      memset(s->text[slot] + copied, 0, 8 * sizeof(uint16_t));
      return (long)copied;
    }
  }
  size_t length = 0;
  if (napi_get_value_string_utf16(env, value, NULL, 0, &length) != napi_ok) return -1;
  if (!grow((void **)&s->text[slot], &s->textCap[slot], length + 10, sizeof(uint16_t))) return -1;
  if (napi_get_value_string_utf16(env, value, (char16_t *)s->text[slot], length + 1, &copied) != napi_ok || copied != length) return -1;
  memset(s->text[slot] + length, 0, 8 * sizeof(uint16_t));
  return (long)length;
}

/* The reward into out, or 0 (nothing written) to decline. */
static int score(napi_env env, Storage *s, napi_value response, napi_value groundTruth, double *out) {
  double lambdaAngle = out[0], lambdaLength = out[1];
  if (!isfinite(lambdaAngle) || !isfinite(lambdaLength)) return 0;
  long responseLength = readText(env, s, 0, response);
  if (responseLength < 0) return 0;
  double predBox[4], truthBox[4];
  long predPoints = 0, truthPoints = 0;
  int pred = readPayload(s, 0, responseLength, BOX | TRAJECTORY, predBox, &predPoints);
  if (pred == DECLINE) return 0;
  double slots[SLOTS];
  slots[S_MODE] = 0;
  slots[S_ERROR] = 0;
  slots[S_IOU] = slots[S_GIOU] = slots[S_ALAF] = slots[S_DFD] = NAN;
  slots[S_TASK] = 0;
  double formatScore = pred != ABSENT && hasThinkPair(s->text[0], responseLength) ? 1 : 0;
  if (pred != ABSENT) {
    long truthLength = readText(env, s, 1, groundTruth);
    if (truthLength < 0) return 0;
    int truth = readPayload(s, 1, truthLength, pred, truthBox, &truthPoints);
    if (truth == DECLINE) return 0;
    if (pred == BOX && truth == BOX) {
      double corners[8];
      centreToCorners(predBox, corners);
      centreToCorners(truthBox, corners + 4);
      slots[S_MODE] = 1;
      boxScores(corners, corners + 4, &slots[S_IOU], &slots[S_GIOU]);
      slots[S_TASK] = (slots[S_GIOU] + 1) / 2;
    } else if (pred == TRAJECTORY && truth == TRAJECTORY) {
      double denominator = M_SQRT2 + lambdaAngle * M_PI + lambdaLength * M_LN10;
      if (denominator == 0) return 0;
      double *q = s->xy[0], *p = s->xy[1];
      for (long k = 0; k < 2 * predPoints; k++) q[k] = clip01(q[k]);
      for (long k = 0; k < 2 * truthPoints; k++) p[k] = clip01(p[k]);
      Geometry gp, gq;
      if (!computeGeometry(s, 1, &gp, p, truthPoints) || !computeGeometry(s, 0, &gq, q, predPoints)) return 0;
      double alaf, dfd;
      if (!alafDistances(s, &gp, &gq, lambdaAngle, lambdaLength, &alaf, &dfd)) return 0;
      double normalised = pyMin(1, alaf / denominator);
      slots[S_MODE] = 2;
      slots[S_ALAF] = normalised;
      slots[S_DFD] = dfd / M_SQRT2;
      slots[S_TASK] = 1 - normalised;
    }
  }
  slots[S_FORMAT] = formatScore;
  slots[S_SCORE] = 0.9 * slots[S_TASK] + 0.1 * formatScore;
  memcpy(out, slots, sizeof slots);
  return 1;
}

static napi_value Score(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value result;
  int done = 0;
  Storage *s = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 2 && napi_get_instance_data(env, (void **)&s) == napi_ok &&
      s != NULL) {
    done = score(env, s, argv[0], argv[1], s->slots);
  }
  napi_get_boolean(env, done, &result);
  return result;
}

static void freeStorage(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Storage *s = data;
  for (int k = 0; k < 2; k++) {
    free(s->text[k]);
    free(s->xy[k]);
    free(s->geo[k]);
  }
  free(s->rows);
  free(s->exactCells);
  free(s);
}

NAPI_MODULE_INIT() {
  Storage *s = calloc(1, sizeof(Storage));
  if (s == NULL || napi_set_instance_data(env, s, freeStorage, NULL) != napi_ok) return NULL;
  napi_value fn, slots;
  if (napi_create_function(env, "score", NAPI_AUTO_LENGTH, Score, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "score", fn) != napi_ok) return NULL;
  /* The slots live in an ArrayBuffer that JavaScript reads as a Float64Array (its memory does not move), so a
   * call passes no array; the reference keeps it for the life of the environment. */
  if (napi_create_arraybuffer(env, SLOTS * sizeof(double), (void **)&s->slots, &slots) != napi_ok) return NULL;
  if (napi_create_reference(env, slots, 1, &s->slotsRef) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "slots", slots) != napi_ok) return NULL;
  return exports;
}
