// hls.js ships its light build (no subtitles, alternate audio or DRM, which live camera
// streams do not use) without its own typings; it has the same API as the full build.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
