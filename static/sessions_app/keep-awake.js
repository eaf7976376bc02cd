// Keeps a monitor's screen on for the whole scenario.
//
// The Wake Lock API comes first, but browsers offer it only in a secure context (https or
// localhost), and a sim room usually serves plain http on a LAN address. The fallback plays a
// black, muted, looping video (media/keep-awake.*: 2 s of 16x16 black with a silent audio track,
// made with PyAV) behind the monitor: browsers keep the screen on while a video plays. Chromium
// only does so for a video that is mostly on screen and covers at least 20% of the viewport
// (blink's VideoWakeLock: kStrictVisibilityThreshold 0.75, kSizeThreshold 0.2) or is audible,
// so the video fills the viewport behind the (black) monitor rather than hiding in a corner.

// What keeps the screen on: "wake-lock", "video"; "needs-tap" when the video waits for a user
// gesture (autoplay refused, as in iOS Low Power Mode); "none" when nothing can.
export class KeepAwake {
  constructor(container, onChange) {
    this.container = container;
    this.onChange = onChange;
    this.mode = "";
    this.stopped = false;
    this.sentinel = null;
    this.video = null;
  }

  async start() {
    if (this.stopped || document.visibilityState !== "visible") return;
    if (this.mode === "wake-lock" || (this.mode === "video" && !this.video.paused)) return;
    if (await this.#requestWakeLock()) return this.#set("wake-lock");
    try {
      await this.#fallbackVideo().play();
      this.#set("video");
    } catch (error) {
      this.#set(error?.name === "NotAllowedError" ? "needs-tap" : "none");
    }
  }

  stop() {
    this.stopped = true;
    this.sentinel?.release().catch(() => {});
    this.sentinel = null;
    this.video?.pause();
    this.#set("");
  }

  async #requestWakeLock() {
    if (!("wakeLock" in navigator)) return false;
    try {
      this.sentinel = await navigator.wakeLock.request("screen");
    } catch {
      return false; // refused (battery saver, policy): the video may still do
    }
    // Released by the browser when the page is hidden, or by the system: ask again when shown.
    this.sentinel.addEventListener("release", () => {
      this.sentinel = null;
      if (this.mode === "wake-lock") this.#set("");
      this.start();
    });
    return true;
  }

  #fallbackVideo() {
    if (this.video) return this.video;
    const video = document.createElement("video");
    video.className = "keep-awake";
    video.muted = true;
    video.loop = true;
    video.playsInline = true;
    video.setAttribute("playsinline", "");
    video.setAttribute("aria-hidden", "true");
    video.disablePictureInPicture = true;
    for (const [file, type] of [["keep-awake.webm", "video/webm"], ["keep-awake.mp4", "video/mp4"]]) {
      const source = document.createElement("source");
      source.src = new URL(`./media/${file}`, import.meta.url).href;
      source.type = type;
      video.append(source);
    }
    // When no source loads or decodes, play() never settles: the last source's error says so.
    video.lastElementChild.addEventListener("error", () => this.#set("none"));
    // A paused video no longer keeps the screen on: start it again while the monitor is shown
    // (a hidden page gets it back from the monitor's visibilitychange).
    video.addEventListener("pause", () => {
      if (this.mode !== "video" || this.stopped) return;
      this.#set("");
      this.start();
    });
    this.container.prepend(video);
    this.video = video;
    return video;
  }

  #set(mode) {
    if (mode === this.mode) return;
    this.mode = mode;
    this.onChange(mode);
  }
}
