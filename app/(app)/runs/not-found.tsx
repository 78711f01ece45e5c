import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Runs" back={{ href: "/", label: "Overview" }} />;
}
