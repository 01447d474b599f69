/** Svelte options for apps/web (found by @sveltejs/vite-plugin-svelte next to vite.config.ts). */
export default {
  // Runes everywhere: no legacy `export let` / `$:` component can slip in.
  compilerOptions: { runes: true },
};
