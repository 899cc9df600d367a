import { sparklinePoints } from "./sparkline.js";
import type { ThroughputPoint } from "./throughput.js";

const BOX = { width: 160, height: 32 };

/** A small line of throughput over the last minutes; fixed size so live points never move the layout. */
export function Sparkline({ points, label }: { points: readonly ThroughputPoint[]; label: string }) {
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${BOX.width} ${BOX.height}`}
      width={BOX.width}
      height={BOX.height}
      role="img"
      aria-label={label}
      preserveAspectRatio="none"
    >
      <line x1="0" y1={BOX.height} x2={BOX.width} y2={BOX.height} className="sparkline__base" />
      {points.length > 0 && (
        <polyline
          points={sparklinePoints(points, { width: BOX.width, height: BOX.height - 2 })}
          className="sparkline__line"
          transform="translate(0 1)"
        />
      )}
    </svg>
  );
}
