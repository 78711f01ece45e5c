import type { MetadataRoute } from "next";

// Served at /manifest.webmanifest (Next links it from every page); the icons are in public/.
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Beamline Retrain",
    short_name: "Retrain",
    description: "Retrain edge ML models on data-center AI systems during beamtime.",
    start_url: "/",
    display: "standalone",
    background_color: "#0d1117",
    theme_color: "#0d1117",
    icons: [
      { src: "/icon.svg", sizes: "any", type: "image/svg+xml" },
      { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
      { src: "/icon-512.png", sizes: "512x512", type: "image/png" },
    ],
  };
}
