#!/usr/bin/env node
// Deterministic test-data generator for the example project (the e-commerce team's
// user-behaviour pipeline): the shop's purchases and the vendor's movie reviews.
//
//   node scripts/generate-data.mjs --purchases N --reviews M --out DIR
//                                  [--seed S] [--start YYYY-MM-DD] [--days D]
//
// Writes DIR/user_purchase.csv and DIR/movie_review.csv (RFC 4180, LF line endings,
// ASCII only). Same arguments -> byte-identical files: all randomness comes from a
// seeded mulberry32 PRNG, never from Math.random or the clock. Output is streamed in
// ~1 MiB chunks with backpressure, so 10M purchase lines run in bounded memory.
//
// The project's seeds were produced with:
//   node scripts/generate-data.mjs --purchases 400 --reviews 150 --seed 20240101 --start 2024-01-01 --days 7 --out seeds
//
// See scripts/README.md for the columns and the knobs. No dependencies.

import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

const USAGE =
  'usage: node scripts/generate-data.mjs --purchases N --reviews M --out DIR [--seed S] [--start YYYY-MM-DD] [--days D]';

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

class ArgError extends Error {}

const MAX_ROWS = 1_000_000_000;
const MAX_DAYS = 3660;

function parseIntArg(name, raw, min, max) {
  if (raw === undefined) throw new ArgError(`--${name} needs a value`);
  if (!/^\d+$/.test(raw)) throw new ArgError(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new ArgError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  }
  return v;
}

function parseArgs(argv) {
  const known = new Set(['purchases', 'reviews', 'out', 'seed', 'start', 'days', 'help']);
  const raw = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new ArgError(`unexpected argument ${JSON.stringify(a)}`);
    let key = a.slice(2);
    let value;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    if (!known.has(key)) throw new ArgError(`unknown option --${key}`);
    if (key === 'help') {
      raw.help = true;
      continue;
    }
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ArgError(`--${key} needs a value`);
      i++;
    }
    if (key in raw) throw new ArgError(`--${key} given twice`);
    raw[key] = value;
  }
  if (raw.help) return { help: true };
  if (raw.purchases === undefined) throw new ArgError('--purchases is required');
  if (raw.reviews === undefined) throw new ArgError('--reviews is required');
  if (raw.out === undefined || raw.out === '') throw new ArgError('--out is required');

  const purchases = parseIntArg('purchases', raw.purchases, 0, MAX_ROWS);
  const reviews = parseIntArg('reviews', raw.reviews, 0, MAX_ROWS);
  const seed = raw.seed === undefined ? 42 : parseIntArg('seed', raw.seed, 0, 0xffffffff);
  const days = raw.days === undefined ? 7 : parseIntArg('days', raw.days, 1, MAX_DAYS);

  const start = raw.start ?? '2024-01-01';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(start);
  if (!m) throw new ArgError(`--start must be a date YYYY-MM-DD, got ${JSON.stringify(start)}`);
  const startMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(startMs);
  if (
    Number(m[1]) < 1000 ||
    d.getUTCFullYear() !== Number(m[1]) ||
    d.getUTCMonth() !== Number(m[2]) - 1 ||
    d.getUTCDate() !== Number(m[3])
  ) {
    throw new ArgError(`--start is not a valid calendar date: ${start}`);
  }
  if (new Date(startMs + (days - 1) * 86_400_000).getUTCFullYear() > 9999) {
    throw new ArgError('--start plus --days goes past year 9999');
  }
  return { purchases, reviews, out: raw.out, seed, startMs, days };
}

// ---------------------------------------------------------------------------
// PRNG (mulberry32) and seed mixing
// ---------------------------------------------------------------------------

/** 32-bit integer hash (a murmur3-style finaliser) used to derive independent streams. */
function mix32(a, b) {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Returns a function giving uniform doubles in [0, 1). Only integer ops: deterministic everywhere. */
function mulberry32(seed) {
  let s = seed >>> 0;
  return function next() {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
function below(rng, n) {
  return Math.floor(rng() * n);
}

/** Picks an index from cumulative weights. */
function pickWeighted(rng, cumulative) {
  const x = rng() * cumulative[cumulative.length - 1];
  for (let i = 0; i < cumulative.length; i++) if (x < cumulative[i]) return i;
  return cumulative.length - 1;
}

function cumulate(weights) {
  const out = [];
  let acc = 0;
  for (const w of weights) out.push((acc += w));
  return out;
}

function shuffleInPlace(rng, arr) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = below(rng, i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/** RFC 4180: quote a field containing a comma, a quote or a line break; double inner quotes. */
function csvField(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CHUNK_CHARS = 1 << 20;

/** Collects lines into ~1 MiB strings and writes them, waiting for 'drain' when asked to. */
class ChunkWriter {
  constructor(path) {
    this.path = path;
    this.stream = createWriteStream(path);
    this.error = null;
    this.stream.on('error', (err) => {
      this.error = err;
    });
    this.buf = '';
  }

  /** Appends text; returns a promise only when the buffer was flushed and the stream is full. */
  push(text) {
    this.buf += text;
    if (this.buf.length >= CHUNK_CHARS) return this.flush();
    return null;
  }

  async flush() {
    if (this.error) throw this.error;
    const chunk = this.buf;
    this.buf = '';
    if (chunk.length > 0 && !this.stream.write(chunk)) {
      // 'error' is already recorded by the constructor's listener; an abort signal
      // removes the losing 'drain' waiter so listeners do not pile up.
      const stop = new AbortController();
      const onError = () => stop.abort();
      this.stream.once('error', onError);
      try {
        await once(this.stream, 'drain', { signal: stop.signal });
      } catch {
        // aborted by an error: reported below
      } finally {
        this.stream.off('error', onError);
      }
      if (this.error) throw this.error;
    }
  }

  async close() {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.error) throw this.error;
  }
}

// ---------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------

// [stock_code, description, base unit price in thousandths]. Ordered roughly by
// popularity; the generator shuffles the head per seed. Some descriptions contain
// commas or double quotes on purpose (CSV quoting).
const PRODUCTS = [
  ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 2550],
  ['71053', 'WHITE METAL LANTERN', 3390],
  ['84406B', 'CREAM CUPID HEARTS COAT HANGER', 2750],
  ['84029G', 'KNITTED UNION FLAG HOT WATER BOTTLE', 3390],
  ['22633', 'HAND WARMER UNION JACK', 1850],
  ['84879', 'ASSORTED COLOUR BIRD ORNAMENT', 1690],
  ['22745', "POPPY'S PLAYHOUSE BEDROOM", 2100],
  ['21754', 'HOME BUILDING BLOCK WORD', 5950],
  ['22423', 'REGENCY CAKESTAND 3 TIER', 12750],
  ['47566', 'PARTY BUNTING', 4950],
  ['85099B', 'JUMBO BAG RED SPOTTY', 1950],
  ['20725', 'LUNCH BAG RED SPOTTY', 1650],
  ['21212', 'PACK OF 72 PAPER CAKE CASES, RETRO', 550],
  ['22197', 'SMALL POPCORN HOLDER', 850],
  ['84991', '60 TEATIME FAIRY CAKE CASES', 550],
  ['23084', 'RABBIT NIGHT LIGHT', 2080],
  ['22086', "PAPER CHAIN KIT 50'S CHRISTMAS", 2950],
  ['21977', 'PACK OF 60 PINK PAISLEY CAKE CASES', 550],
  ['22386', 'JUMBO BAG PINK POLKADOT', 1950],
  ['20727', 'LUNCH BAG BLACK SKULL', 1650],
  ['22720', 'SET OF 3 CAKE TINS, PANTRY DESIGN', 4950],
  ['22960', 'JAM MAKING SET WITH JARS', 4250],
  ['22666', 'RECIPE BOX PANTRY YELLOW DESIGN', 2950],
  ['23203', 'JUMBO BAG VINTAGE DOILY', 2080],
  ['22178', 'VICTORIAN GLASS HANGING T-LIGHT', 1250],
  ['21931', 'JUMBO STORAGE BAG SUKI', 1950],
  ['22382', 'LUNCH BAG SPACEBOY DESIGN', 1650],
  ['22469', 'HEART OF WICKER SMALL', 1650],
  ['22470', 'HEART OF WICKER LARGE', 2950],
  ['21034', 'REX CASH+CARRY JUMBO SHOPPER', 950],
  ['22457', 'NATURAL SLATE HEART CHALKBOARD', 2950],
  ['82482', 'WOODEN PICTURE FRAME WHITE FINISH', 2550],
  ['82494L', 'WOODEN FRAME ANTIQUE WHITE', 2950],
  ['22752', 'SET 7 NESTING BOXES, RED FLORAL', 7650],
  ['21730', 'GLASS STAR FROSTED T-LIGHT HOLDER', 4250],
  ['22112', 'CHOCOLATE HOT WATER BOTTLE', 4950],
  ['22835', 'HOT WATER BOTTLE "I AM SO POORLY"', 4650],
  ['21485', 'RETRO SPOT HEART HOT WATER BOTTLE', 4950],
  ['22623', 'BOX OF VINTAGE JIGSAW BLOCKS', 5950],
  ['22139', 'RETRO SPOT TEA SET CERAMIC 11 PC', 4950],
  ['21623', 'VINTAGE UNION JACK MEMOBOARD', 9950],
  ['22914', 'BLUE COAT RACK "PARIS FASHION"', 4950],
  ['22961', 'JAM MAKING SET PRINTED', 1450],
  ['22326', 'ROUND SNACK BOXES SET OF4 WOODLAND', 2950],
  ['21731', 'RED TOADSTOOL LED NIGHT LIGHT', 1650],
  ['22629', 'SPACEBOY LUNCH BOX', 1950],
  ['22630', 'DOLLY GIRL LUNCH BOX', 1950],
  ['21080', 'SET/20 RED SPOTTY PAPER NAPKINS', 850],
  ['22367', 'CHILDRENS APRON, SPACEBOY DESIGN', 1950],
  ['22585', 'PACK OF 6 BIRDY GIFT TAGS', 1250],
  ['21094', 'SET/6 RED SPOTTY PAPER PLATES', 850],
  ['22551', 'PLASTERS IN TIN, SPACEBOY', 1650],
  ['22554', 'PLASTERS IN TIN WOODLAND ANIMALS', 1650],
  ['21166', 'COOK WITH WINE METAL SIGN', 2080],
  ['82600', 'DOORMAT "HOME SWEET HOME" BLUE', 7950],
  ['48187', 'DOORMAT NEW ENGLAND', 7950],
  ['21181', 'PLEASE ONE PERSON METAL SIGN', 2100],
  ['22413', 'METAL SIGN, TAKE IT OR LEAVE IT', 2950],
  ['84946', 'ANTIQUE SILVER T-LIGHT GLASS', 1250],
  ['22161', 'HEART DECORATION RUSTIC HANGING', 650],
  ['21733', 'RED HANGING HEART T-LIGHT HOLDER', 2950],
  ['84970S', 'HANGING HEART ZINC T-LIGHT HOLDER', 850],
  ['16237', 'SLEEPING CAT ERASERS', 210],
  ['16156S', 'WRAP PINK FAIRY CAKES', 420],
  ['21967', 'PACK OF 12 SKULL TISSUES', 290],
  ['84077', 'WORLD WAR 2 GLIDERS ASSTD DESIGNS', 290],
  ['85049E', 'SCANDINAVIAN REDS RIBBONS', 1250],
  ['22616', 'PACK OF 12 LONDON TISSUES', 290],
  ['23166', 'MEDIUM CERAMIC TOP STORAGE JAR', 1250],
  ['22501', 'PICNIC BASKET WICKER LARGE', 9950],
  ['22503', 'CABIN BAG VINTAGE PAISLEY', 29950],
  ['22823', 'CHEST NATURAL WOOD 20 DRAWERS', 89950],
  ['22833', 'HALL CABINET WITH 3 DRAWERS', 49950],
  ['22655', 'VINTAGE RED KITCHEN CABINET', 99999],
  ['22656', 'VINTAGE BLUE KITCHEN CABINET', 95000],
  ['22827', 'RUSTIC SEVENTEEN DRAWER SIDEBOARD', 79950],
  ['23285', 'PINK VINTAGE SPOT BEAKER', 850],
  ['23311', 'VINTAGE CHRISTMAS STOCKING', 2550],
  ['22909', 'SET OF 20 VINTAGE CHRISTMAS NAPKINS', 850],
  ['23355', 'HOT WATER BOTTLE KEEP CALM', 4950],
  ['23344', 'JUMBO BAG 50\'S CHRISTMAS', 2080],
  ['22866', 'HAND WARMER SCOTTY DOG DESIGN', 2100],
  ['21889', 'WOODEN BOX OF DOMINOES', 1250],
  ['22727', 'ALARM CLOCK BAKELIKE RED', 3750],
  ['22726', 'ALARM CLOCK BAKELIKE GREEN', 3750],
  ['22728', 'ALARM CLOCK BAKELIKE PINK', 3750],
  ['22804', 'CANDLEHOLDER PINK HANGING HEART', 2950],
  ['22138', 'BAKING SET 9 PIECE, RETROSPOT', 4950],
  ['22090', 'PAPER BUNTING "RETRO SPOTS"', 2950],
  ['21790', 'VINTAGE SNAP CARDS', 850],
];

// Weights roughly like the shop's real customer base: the UK dominates.
const COUNTRIES = [
  ['United Kingdom', 700],
  ['Germany', 50],
  ['France', 45],
  ['EIRE', 35],
  ['Spain', 20],
  ['Netherlands', 18],
  ['Belgium', 16],
  ['Switzerland', 14],
  ['Portugal', 12],
  ['Australia', 10],
  ['Norway', 8],
  ['Italy', 8],
  ['Channel Islands', 7],
  ['Finland', 6],
  ['Sweden', 5],
  ['Austria', 5],
  ['Denmark', 5],
  ['Cyprus', 4],
  ['Poland', 4],
  ['Japan', 4],
  ['USA', 3],
  ['Israel', 3],
  ['Canada', 2],
  ['Iceland', 2],
  ['United Arab Emirates', 2],
];

// Quantities: mostly small (a good share <= 2, which the pipeline filters out), with
// the pack sizes the shop sells in as peaks.
const PACK_SIZES = [6, 12, 12, 24, 4, 8, 10, 3, 36, 48, 25, 20, 50];

// Review building blocks. Neutral phrases never contain the letters "good" at all.
const NEUTRAL_PHRASES = [
  'the plot was predictable',
  'I watched it with my family on Sunday',
  'the soundtrack stayed with me for days',
  'the acting felt flat',
  'way too long',
  'the ending surprised everyone in the room',
  'the dialogue was clumsy',
  'beautiful cinematography',
  'the pacing drags in the middle',
  'a solid cast',
  'the villain was more interesting than the hero',
  'I fell asleep twice',
  'the effects look cheap',
  'my kids loved the dog',
  'not worth the ticket price',
  'a great script, sharp and funny',
  'the director tries too hard',
  'I would watch it again',
  'the sequel is better',
  'a terrible remake of a classic',
  'the score is forgettable',
  'the first hour is slow but the second half works',
  'strong performances from the supporting cast',
  'boring',
  'brilliant',
  'awful editing',
  'a fun ride',
  'the romance subplot makes no sense',
  'the camera work is shaky',
  'I laughed out loud',
  'the twist was obvious from the trailer',
  'a wonderful surprise',
  'the costumes are gorgeous',
  'the theatre was cold',
  'nothing new here',
  'the lead actor is charming',
  'the book was better',
  'worth a rental',
  'the 3D adds nothing',
  'I cried at the end',
  'a mess from start to finish',
  'the critics were wrong about this one',
  'an instant favourite',
  'mediocre at best',
  'the humour did not land',
  'a bit of a slog',
  'the music is fantastic',
  'I expected more from this studio',
  'the animation is lovely',
  'the story is thin',
  'it is a perfect Friday night movie',
  'the action scenes are exciting',
  'disappointing',
  'excellent',
  'too many characters',
];

// Phrases quoting a title in double quotes (CSV quoting of the review text).
const TITLES = ['The Long Night', 'Harbor Lights', 'Paper Moon Rising', 'Steel Orchard', 'Quiet Country', 'Blue Lantern'];
const TITLE_PHRASES = [
  (t) => `much better than "${t}"`,
  (t) => `it reminded me of "${t}"`,
  (t) => `"${t}" it is not`,
];

// The word "good" as the downstream classifier must find it (lower-case, split on
// non-letters, token == 'good'), in varied case and punctuation. At most 4 words each.
const GOOD_PHRASES = [
  'good',
  'a good movie',
  'Good acting',
  'really GOOD!',
  'pretty good, honestly',
  'the cast is (good)',
  'the lead is good-looking',
  'GOOD.',
  'so good!!',
  'good fun',
  'not bad, good even',
  'a "good" sequel',
  'good; really',
  'good...',
];

// "good" only inside longer words: must NOT count as positive.
const DECOY_PHRASES = [
  'oh my goodness',
  'Goodness, what a finale',
  'goodbye to the franchise',
  'the goods were damaged',
  'better than Goodfellas?',
  'a GOODBYE scene',
  'full of goodwill',
  'a feelgood movie',
  'no goodies after credits',
  '"Goodnight" song',
];

// ---------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------

/**
 * The customer universe: distinct ids (12000..18999 for small sizes, growing with
 * size), each with a country and a role: buys and reviews (50%), only buys (30%),
 * only reviews (20%).
 */
function makeCustomers(rng, purchases, reviews) {
  const count = Math.max(30, Math.ceil(purchases / 8) + Math.ceil(reviews / 8));
  const span = Math.max(7000, count);
  const step = Math.floor(span / count);
  const ids = new Int32Array(count);
  const country = new Uint8Array(count);
  const countryCum = cumulate(COUNTRIES.map((c) => c[1]));
  const buyers = [];
  const reviewers = [];
  for (let k = 0; k < count; k++) {
    ids[k] = 12000 + k * step + below(rng, step);
    country[k] = pickWeighted(rng, countryCum);
    const role = rng();
    if (role < 0.8) buyers.push(k);
    if (role < 0.5 || role >= 0.8) reviewers.push(k);
  }
  // Shuffle so that the heavy buyers/reviewers are not simply the lowest ids.
  return {
    ids,
    country,
    buyers: shuffleInPlace(rng, Int32Array.from(buyers)),
    reviewers: shuffleInPlace(rng, Int32Array.from(reviewers)),
  };
}

// ---------------------------------------------------------------------------
// user_purchase.csv
// ---------------------------------------------------------------------------

const pad2 = (n) => (n < 10 ? '0' + n : '' + n);

function formatPrice(milli) {
  const r = milli % 1000;
  return `${Math.floor(milli / 1000)}.${r < 10 ? '00' + r : r < 100 ? '0' + r : r}`;
}

async function writePurchases(path, opts, customers, rng) {
  const { purchases: n, days, startMs } = opts;
  const w = new ChunkWriter(path);
  w.push('invoice_number,stock_code,detail,quantity,invoice_date,unit_price,customer_id,country\n');

  // Products: popularity order shuffled per seed; the "stock_code,detail," prefix precomputed.
  const products = shuffleInPlace(rng, PRODUCTS.slice()).map(([code, desc, price]) => ({
    prefix: `${code},${csvField(desc)},`,
    price,
    bulk: Math.max(100, Math.round((price * 85) / 100)),
  }));
  const nProducts = products.length;
  const dayStrings = [];
  for (let d = 0; d < days; d++) dayStrings.push(new Date(startMs + d * 86_400_000).toISOString().slice(0, 10));
  const countrySuffix = COUNTRIES.map(([name]) => ',' + csvField(name) + '\n');
  const { buyers, ids, country } = customers;
  const nBuyers = buyers.length;

  let invoice = 536365;
  let line = 0;
  while (line < n) {
    // One invoice: one customer, one timestamp, 1..12 lines (most have a few).
    const u = rng();
    const lines = Math.min(n - line, 1 + Math.floor(12 * u * u));
    const cu = rng();
    const cust = buyers[Math.floor(nBuyers * cu * cu)];
    // Time follows the position in the file: days in order, shop hours 08:00-17:59.
    const day = Math.floor((line * days) / n);
    const dayStart = Math.ceil((day * n) / days);
    const dayEnd = Math.ceil(((day + 1) * n) / days);
    const frac = (line - dayStart) / Math.max(1, dayEnd - dayStart);
    const secs = 8 * 3600 + Math.floor(frac * 10 * 3600);
    const ts = `${dayStrings[day]} ${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
    const head = `${invoice},`;
    const tail = `,${ts},`;
    const custPart = `,${ids[cust]}${countrySuffix[country[cust]]}`;
    let text = '';
    for (let l = 0; l < lines; l++) {
      const pu = rng();
      const p = products[Math.floor(nProducts * pu * pu)];
      let q;
      const qu = rng();
      if (rng() < 0.3) {
        q = PACK_SIZES[Math.floor(PACK_SIZES.length * qu)];
      } else {
        q = 1 + Math.floor(49 * qu * qu * qu);
      }
      const price = q >= 24 ? p.bulk : p.price;
      text += head + p.prefix + q + tail + formatPrice(price) + custPart;
    }
    line += lines;
    invoice += rng() < 0.1 ? 2 : 1;
    const pending = w.push(text);
    if (pending) await pending;
  }
  await w.close();
}

// ---------------------------------------------------------------------------
// movie_review.csv
// ---------------------------------------------------------------------------

function splitWords(s) {
  return s.split(' ');
}

const NEUTRAL_WORDS = NEUTRAL_PHRASES.map(splitWords);
const GOOD_WORDS = GOOD_PHRASES.map(splitWords);
const DECOY_WORDS = DECOY_PHRASES.map(splitWords);
const ONE_WORD = NEUTRAL_WORDS.filter((w) => w.length === 1);

function makeReview(rng) {
  const length = 5 + below(rng, 36); // 5..40 words
  const kind = rng();
  // 30% positive, 12% only a decoy "good..." word, the rest neither. A few positives
  // also carry a decoy.
  const specials = [];
  if (kind < 0.3) {
    specials.push(GOOD_WORDS[below(rng, GOOD_WORDS.length)]);
    if (rng() < 0.15) specials.push(DECOY_WORDS[below(rng, DECOY_WORDS.length)]);
  } else if (kind < 0.42) {
    specials.push(DECOY_WORDS[below(rng, DECOY_WORDS.length)]);
  }
  let specialCount = 0;
  for (const s of specials) specialCount += s.length;

  // Neutral phrases (sometimes one quoting a title) until exactly `length` words:
  // a phrase that does not fit is redrawn a few times, then a one-word phrase fills.
  const parts = [];
  let room = length - specialCount;
  while (room > 0) {
    let ph = null;
    for (let attempt = 0; attempt < 4 && ph === null; attempt++) {
      const cand =
        rng() < 0.06
          ? splitWords(TITLE_PHRASES[below(rng, TITLE_PHRASES.length)](TITLES[below(rng, TITLES.length)]))
          : NEUTRAL_WORDS[below(rng, NEUTRAL_WORDS.length)];
      if (cand.length <= room) ph = cand;
    }
    if (ph === null) ph = ONE_WORD[below(rng, ONE_WORD.length)];
    parts.push(ph);
    room -= ph.length;
  }
  for (const s of specials) parts.splice(below(rng, parts.length + 1), 0, s);

  // Join phrases with ", " / ". " / "; " and capitalise sentence starts.
  let text = '';
  for (let i = 0; i < parts.length; i++) {
    const phrase = parts[i].join(' ');
    if (i === 0) {
      text = capitalise(phrase);
      continue;
    }
    const sep = rng();
    const last = text[text.length - 1];
    if (last === '.' || last === '!' || last === '?') text += ' ' + capitalise(phrase);
    else if (sep < 0.45) text += ', ' + phrase;
    else if (sep < 0.85) text += '. ' + capitalise(phrase);
    else text += '; ' + phrase;
  }
  const end = text[text.length - 1];
  if (end !== '.' && end !== '!' && end !== '?') text += rng() < 0.8 ? '.' : '!';
  return text;
}

function capitalise(s) {
  const i = s[0] === '"' || s[0] === '(' ? 1 : 0;
  return s.slice(0, i) + s.charAt(i).toUpperCase() + s.slice(i + 1);
}

async function writeReviews(path, opts, customers, rng) {
  const w = new ChunkWriter(path);
  w.push('cid,review_str\n');
  const { reviewers, ids } = customers;
  const nReviewers = reviewers.length;
  for (let r = 0; r < opts.reviews; r++) {
    const cid = ids[reviewers[below(rng, nReviewers)]];
    const pending = w.push(`${cid},${csvField(makeReview(rng))}\n`);
    if (pending) await pending;
  }
  await w.close();
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ArgError) {
      process.stderr.write(`generate-data: error: ${err.message} (${USAGE.slice(7)})\n`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const t0 = process.hrtime.bigint();
  mkdirSync(opts.out, { recursive: true });
  const customers = makeCustomers(mulberry32(mix32(opts.seed, 0)), opts.purchases, opts.reviews);
  const purchasePath = join(opts.out, 'user_purchase.csv');
  const reviewPath = join(opts.out, 'movie_review.csv');
  await writePurchases(purchasePath, opts, customers, mulberry32(mix32(opts.seed, 1)));
  await writeReviews(reviewPath, opts, customers, mulberry32(mix32(opts.seed, 2)));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(
    `generate-data: wrote ${opts.purchases} purchase lines to ${purchasePath} and ${opts.reviews} reviews to ${reviewPath} in ${secs.toFixed(2)}s\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`generate-data: error: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
