/*
 * Talk time from the audio level every browser already puts in its Opus packets: the
 * `ssrc-audio-level` RTP header extension (RFC 6464), one byte `V|level`, the level in −dBov
 * (0 loudest … 127 silence), computed by the sender over the packet's audio. Nothing is decoded.
 */

export const URI_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

/**
 * A packet at or above −50 dBov (level ≤ 50) is speech. A voice at a normal distance from a
 * laptop or headset microphone measures about −20 to −40 dBov (after Chromium's gain control);
 * a quiet room, fan noise or breathing, after its noise suppression, measures −60 dBov and
 * below, and digital silence (a muted or idle track) 127. 50 sits between the two with ~10 dB
 * margin each side.
 */
export const SPEECH_LEVEL = 50;
/**
 * Silence shorter than this between two loud packets still counts as speech (the gaps between
 * syllables and words); a longer silence does not count at all (no tail is added after the
 * last loud packet, so a clean tone measures exactly its length).
 */
export const SPEECH_HANGOVER_MS = 400;

/** Opus's RTP clock is 48 kHz whatever the sampling rate (RFC 7587). */
const TICKS_PER_MS = 48;
/** A 20 ms Opus frame: what a packet counts when the gap to the previous one says nothing. */
const FRAME_TICKS = 20 * TICKS_PER_MS;
/** The longest Opus packet (120 ms); a longer timestamp step is a gap (loss, DTX, a pause). */
const MAX_PACKET_TICKS = 120 * TICKS_PER_MS;

/** A parsed header extension (werift's RtpHeader.extensions). */
export interface HeaderExtension {
  id: number;
  payload: Buffer;
}

/**
 * The level (0..127, in −dBov) of a packet's audio-level extension with id `id`, or -1 when
 * the packet has none (or a malformed one). Never throws, never allocates.
 */
export function audioLevelOf(extensions: readonly HeaderExtension[] | undefined, id: number): number {
  if (!extensions || id <= 0) return -1;
  for (let i = 0; i < extensions.length; i++) {
    const ext = extensions[i];
    if (ext.id !== id) continue;
    const payload = ext.payload;
    return payload && payload.length >= 1 ? payload[0] & 0x7f : -1;
  }
  return -1;
}

/** The id negotiated for the audio-level extension in werift's transceiver.headerExtensions (-1: none). */
export function audioLevelIdOf(negotiated: readonly { uri: string; id: number }[] | undefined): number {
  if (!negotiated) return -1;
  for (const ext of negotiated) if (ext.uri === URI_AUDIO_LEVEL) return ext.id;
  return -1;
}

/**
 * Speaking time of one audio stream, fed one packet at a time (level, RTP timestamp). Each
 * packet counts for the timestamp step since the previous packet (20 ms for Chromium's Opus);
 * loud packets count, and so does a silence between two loud packets when it is shorter than
 * the hangover. Out-of-order and duplicate packets are skipped. Numbers only: no allocation.
 */
export class TalkMeter {
  #lastTs = -1;
  /** Speech not yet taken (ticks). */
  #speechTicks = 0;
  /** Silence since the last loud packet, credited if speech resumes within the hangover. */
  #pendingTicks = 0;
  #speaking = false;
  /** Everything counted so far (ms), taken or not. */
  #totalTicks = 0;
  readonly #threshold: number;
  readonly #hangoverTicks: number;

  constructor(threshold = SPEECH_LEVEL, hangoverMs = SPEECH_HANGOVER_MS) {
    this.#threshold = threshold;
    this.#hangoverTicks = hangoverMs * TICKS_PER_MS;
  }

  /** `level`: 0..127 (−dBov), or -1 for a packet without the extension (counted as silence). */
  onPacket(level: number, timestamp: number): void {
    let step = FRAME_TICKS;
    if (this.#lastTs >= 0) {
      const delta = (timestamp - this.#lastTs) >>> 0;
      if (delta === 0 || delta >= 0x80000000) return; // duplicate, or older than the last one
      if (delta <= MAX_PACKET_TICKS) step = delta;
    }
    this.#lastTs = timestamp >>> 0;
    if (level >= 0 && level <= this.#threshold) {
      const counted = this.#pendingTicks + step;
      this.#speechTicks += counted;
      this.#totalTicks += counted;
      this.#pendingTicks = 0;
      this.#speaking = true;
    } else if (this.#speaking) {
      this.#pendingTicks += step;
      if (this.#pendingTicks > this.#hangoverTicks) {
        this.#pendingTicks = 0;
        this.#speaking = false;
      }
    }
  }

  /** True while the last loud packet is within the hangover (for an active-speaker signal). */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** Speech since the last call (whole ms; the remainder is kept for the next call). */
  takeMs(): number {
    const ms = Math.floor(this.#speechTicks / TICKS_PER_MS);
    this.#speechTicks -= ms * TICKS_PER_MS;
    return ms;
  }

  get totalMs(): number {
    return Math.floor(this.#totalTicks / TICKS_PER_MS);
  }
}
