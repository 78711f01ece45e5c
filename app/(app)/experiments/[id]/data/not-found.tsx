import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Experiment" back={{ href: "/experiments", label: "Experiments" }} />;
}
