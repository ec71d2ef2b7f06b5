// Augmentations named in a string, as `--augment` takes them: names separated by commas,
// each with optional settings after colons, e.g. "affine:degrees=15,elastic,cutout:size=8,mixup:alpha=0.2".
// Per-image augmentations apply in the order given; mixup (which mixes pairs of images and
// their labels) applies to the whole batch after them.
import {
  composeAugmentations,
  cutout,
  elasticDistortion,
  gaussianNoise,
  type ImageAugmentation,
  randomAffine,
} from "./augment.js";

export interface AugmentationPlan {
  /** The per-image augmentations composed, or undefined for none. */
  perImage: ImageAugmentation | undefined;
  /** Mixup's Beta(α, α) parameter, when mixup is on. */
  mixupAlpha: number | undefined;
}

type Settings = Record<string, number>;

const KINDS: Record<string, { keys: readonly string[]; make?: (s: Settings) => ImageAugmentation }> = {
  affine: {
    keys: ["degrees", "translate", "scaleMin", "scaleMax"],
    make: (s) =>
      randomAffine({
        degrees: s.degrees,
        translate: s.translate,
        scale:
          s.scaleMin !== undefined || s.scaleMax !== undefined
            ? [s.scaleMin ?? 0.9, s.scaleMax ?? 1.1]
            : undefined,
      }),
  },
  elastic: { keys: ["alpha", "sigma"], make: (s) => elasticDistortion({ alpha: s.alpha, sigma: s.sigma }) },
  noise: { keys: ["std"], make: (s) => gaussianNoise({ std: s.std }) },
  cutout: { keys: ["size"], make: (s) => cutout({ size: s.size }) },
  mixup: { keys: ["alpha"] },
};

export const AUGMENTATION_NAMES = Object.keys(KINDS);

/** Parses an augmentation string; "" or "none" means no augmentation. Errors name the bad part. */
export function parseAugmentations(spec: string): AugmentationPlan {
  const parts = spec.trim() === "" || spec.trim() === "none" ? [] : spec.split(",").map((p) => p.trim());
  const perImage: ImageAugmentation[] = [];
  let mixupAlpha: number | undefined;
  for (const part of parts) {
    const [name, ...assignments] = part.split(":");
    const kind = KINDS[name!];
    if (!kind)
      throw new Error(`augment: unknown augmentation "${name}" (known: ${AUGMENTATION_NAMES.join(", ")})`);
    const settings: Settings = {};
    for (const assignment of assignments) {
      const [key, value] = assignment.split("=");
      const v = Number(value);
      if (!kind.keys.includes(key!) || value === undefined || !Number.isFinite(v)) {
        throw new Error(
          `augment: "${assignment}" in "${part}" is not one of ${kind.keys.map((k) => `${k}=NUMBER`).join(", ")}`,
        );
      }
      settings[key!] = v;
    }
    if (kind.make) perImage.push(kind.make(settings));
    else mixupAlpha = settings.alpha ?? 0.2;
  }
  return { perImage: perImage.length ? composeAugmentations(...perImage) : undefined, mixupAlpha };
}
