import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Prediction report" back={{ href: "/predictions", label: "Prediction error" }} />;
}
