import { useI18n } from "../i18n/I18nContext.js";
import type { CountryCount } from "./countryChart.js";
import { countryName, flagOf } from "./flag.js";

const BAR_HEIGHT = 18;
const GAP = 6;
const LABEL_WIDTH = 120;
const WIDTH = 320;

/** Horizontal bars of live peers per country, drawn in SVG so the console needs no chart library. */
export function CountryChart({ counts }: { counts: readonly CountryCount[] }) {
  const { t, locale } = useI18n();
  if (counts.length === 0) return <p className="chart-empty">{t("connections.chartEmpty")}</p>;
  const most = Math.max(...counts.map((entry) => entry.peers));
  const height = counts.length * (BAR_HEIGHT + GAP);
  const nameOf = (country: string | null) =>
    country === null
      ? t("connections.unknownCountry")
      : country === "*"
        ? t("connections.otherCountries")
        : `${flagOf(country)} ${countryName(country, locale)}`;
  return (
    <figure className="country-chart">
      <figcaption className="section-title">{t("connections.byCountry")}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH}
        height={height}
        role="img"
        aria-label={`${t("connections.byCountry")}: ${counts.map((entry) => `${nameOf(entry.country)} ${entry.peers}`).join(", ")}`}
      >
        {counts.map((entry, index) => {
          const y = index * (BAR_HEIGHT + GAP);
          const width = ((WIDTH - LABEL_WIDTH - 40) * entry.peers) / most;
          const name = nameOf(entry.country);
          return (
            <g key={entry.country ?? "unknown"} data-country-bar={entry.country ?? ""}>
              <title>{`${name}: ${entry.peers}`}</title>
              <text x="0" y={y + BAR_HEIGHT - 5} className="country-chart__label">
                {name.length > 16 ? `${name.slice(0, 15)}…` : name}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y}
                width={Math.max(2, width)}
                height={BAR_HEIGHT}
                rx="3"
                className="country-chart__bar"
              />
              <text
                x={LABEL_WIDTH + Math.max(2, width) + 6}
                y={y + BAR_HEIGHT - 5}
                className="country-chart__value"
              >
                {entry.peers}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
