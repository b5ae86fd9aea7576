import { createRequire } from 'node:module';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { CHART_FONT, type ChartSvg } from './chart.ts';

// SVG → PNG with resvg (Rust, prebuilt for each platform). Loaded on first use, so a machine where the
// native binary cannot load still starts, sends every text message, and only its charts fail.

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Pixels per SVG unit: up to 1.5, which keeps a chart sharp when Slack shows it large, but never wider
 * than Slack's largest thumbnail (1,024 px wide): pixels past it are scaled away in every preview, and
 * every pixel costs memory while the PNG is made (the picture, its copy and its encoding: about
 * 12 bytes each). Down to 1 for a chart so tall (a lead of a hundred teams) that more pixels would cost
 * more to draw and upload than they add.
 */
export const chartScale = (c: Pick<ChartSvg, 'width' | 'height'>): number =>
  Math.max(1, Math.min(1.5, MAX_WIDTH / c.width, Math.sqrt(MAX_PIXELS / (c.width * c.height))));

const MAX_WIDTH = 1024;
const MAX_PIXELS = 1_200_000;

let options: ResvgRenderOptions | undefined;

/**
 * Inter as TrueType files from an npm package (resvg reads TTF/OTF, not WOFF2), and no system fonts:
 * every machine draws the same letters, and nothing is scanned at each render.
 */
function renderOptions(): ResvgRenderOptions {
  if (!options) {
    const require = createRequire(import.meta.url);
    options = {
      font: {
        loadSystemFonts: false,
        fontFiles: ['400Regular/Inter_400Regular.ttf', '600SemiBold/Inter_600SemiBold.ttf'].map((f) =>
          require.resolve(`@expo-google-fonts/inter/${f}`),
        ),
        defaultFontFamily: CHART_FONT,
        sansSerifFamily: CHART_FONT,
      },
      logLevel: 'off',
    };
  }
  return options;
}

/**
 * Renders an SVG to PNG bytes. The drawing runs on libuv's thread pool, so the event loop (and every ack)
 * keeps going; resvg encodes the PNG on the loop (`asPng`): 12 ms for a team chart on the bench machine,
 * bounded by MAX_PIXELS.
 */
export async function svgToPng(chart: ChartSvg): Promise<Buffer> {
  // resvg allocates with mimalloc, which reads its options when resvg loads. By default it waits 10 ms to
  // hand freed pages back and only does so when that thread allocates again, so a pool thread that drew a
  // chart and went idle kept them all; at 1 ms they go back while the chart is still being drawn, at no
  // cost in time (see the README's memory findings). An operator's own setting wins.
  process.env.MIMALLOC_PURGE_DELAY ??= '1';
  const { renderAsync } = await import('@resvg/resvg-js');
  const image = await renderAsync(chart.svg, {
    ...renderOptions(),
    fitTo: { mode: 'zoom', value: chartScale(chart) },
  });
  return image.asPng();
}
