import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Run" back={{ href: "/runs", label: "Runs" }} />;
}
