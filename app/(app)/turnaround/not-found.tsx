import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Turnaround report" back={{ href: "/turnaround", label: "Turnaround" }} />;
}
