import type { ThroughputPoint } from "./throughput.js";

/** The drawing box of a sparkline, in SVG user units. */
export interface SparkBox {
  width: number;
  height: number;
}

/**
 * The `points` attribute of an SVG polyline for a throughput history: time runs left to right over
 * the whole width, and the highest rate touches the top. A flat zero line sits on the bottom edge, so
 * an idle tunnel reads as idle rather than as a line floating at mid-height.
 */
export function sparklinePoints(points: readonly ThroughputPoint[], box: SparkBox): string {
  if (points.length === 0) return "";
  const first = points[0] as ThroughputPoint;
  const last = points[points.length - 1] as ThroughputPoint;
  const span = last.at - first.at;
  const peak = Math.max(...points.map((point) => point.perSecond));
  const round = (value: number) => Math.round(value * 10) / 10;
  return points
    .map((point, index) => {
      // A single point, or several at one instant, spread evenly instead of piling up at x = 0.
      const share =
        span > 0 ? (point.at - first.at) / span : points.length > 1 ? index / (points.length - 1) : 1;
      const x = share * box.width;
      const y = peak > 0 ? box.height - (point.perSecond / peak) * box.height : box.height;
      return `${round(x)},${round(y)}`;
    })
    .join(" ");
}
