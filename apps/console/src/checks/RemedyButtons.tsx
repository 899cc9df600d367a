import type { Remedy } from "../graphql/types.js";

interface RemedyButtonsProps {
  remedies: readonly Remedy[];
  /** The row's own layout class: the checks page and the wizard place them differently. */
  className: string;
  /** The user picked one; the caller asks for confirmation before anything is applied. */
  onPick(remedy: Remedy): void;
}

/** One button per fix the daemon offers for a check; nothing when it offers none. */
export function RemedyButtons({ remedies, className, onPick }: RemedyButtonsProps) {
  if (remedies.length === 0) return null;
  return (
    <div className={className}>
      {remedies.map((remedy) => (
        <button key={remedy.id} type="button" className="button button--small" onClick={() => onPick(remedy)}>
          {remedy.title}
        </button>
      ))}
    </div>
  );
}
